/** Blob storage as the services need it. */
export interface BlobStore {
  /**
   * Deletes every blob (and its snapshots) whose name starts with `prefix` in `container`, and returns how many were
   * deleted. The prefix must be a folder (end with `/`), so that one companion's prefix never matches another's.
   */
  deleteByPrefix(container: string, prefix: string): Promise<number>;
}

/** A stored file's properties as the store reports them; `etag` is the store's own version tag. */
export interface StoredAssetInfo {
  readonly contentType: string;
  readonly contentLength: number;
  readonly etag: string;
}

export interface StoredAssetContent extends StoredAssetInfo {
  /** The bytes as they stream from the store, so that serving a file never holds all of it in memory. */
  readonly body: AsyncIterable<Uint8Array>;
}

/**
 * The companion media container (`companions`) as the generation jobs and the asset route need it: source media
 * written by the intake, generated views and voice profiles. Paths are full blob names inside that container.
 */
export interface CompanionAssetStore {
  /** The whole file, or undefined when there is none. */
  read(blobPath: string): Promise<{ readonly bytes: Buffer; readonly contentType: string } | undefined>;
  /** Creates or overwrites the file. */
  write(blobPath: string, bytes: Uint8Array, contentType: string): Promise<void>;
  info(blobPath: string): Promise<StoredAssetInfo | undefined>;
  open(blobPath: string): Promise<StoredAssetContent | undefined>;
  /** A read-only URL to the file that stops working after `validForSeconds` (for a remote engine to fetch it). */
  readUrl(blobPath: string, validForSeconds: number): Promise<string>;
}

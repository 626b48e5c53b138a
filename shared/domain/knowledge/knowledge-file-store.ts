/**
 * The knowledge container as the services need it: landed files written by the fetch and the multipart upload, upload
 * URLs for clients, and removal of a file's or a base's folder. Paths are full blob names inside the container.
 */
export interface KnowledgeFileStore {
  /** Creates or overwrites the file. */
  write(blobPath: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /**
   * A URL that lets its holder create or overwrite exactly this file, and nothing else (no read, list or delete),
   * until `expiresAt`. It is a secret: it must never be logged.
   */
  uploadUrl(blobPath: string, expiresAt: Date): Promise<string>;
  /** The ETag of the file's current version, or undefined when nothing (committed) is there. */
  landedVersion(blobPath: string): Promise<string | undefined>;
  /** Deletes the file while it is still version `etag`; a newer version, or a file already gone, is left alone. */
  deleteVersion(blobPath: string, etag: string): Promise<void>;
  /** Deletes every file under a folder prefix (ending in `/`) and returns how many. */
  deleteFolder(prefix: string): Promise<number>;
}

/**
 * The companion media container (`companions`) as the media intake needs it: incoming files written by the fetcher
 * and checked, accepted files written by the checks, and upload URLs for clients. Paths are full blob names inside
 * that container.
 */
export interface MediaIntakeStore {
  /** Creates or overwrites the file. */
  write(blobPath: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /**
   * Copies version `etag` of one file to another path inside the store (no bytes pass through this process), and
   * gives the copy `contentType`. False when that version is no longer there (overwritten or deleted meanwhile).
   */
  copyVersion(fromPath: string, etag: string, toPath: string, contentType: string): Promise<boolean>;
  /**
   * Deletes the file while it is still the version `etag`, so that a newer version written meanwhile (a repeated
   * fetch) survives for its own check. A file already gone or changed is left alone without error.
   */
  deleteVersion(blobPath: string, etag: string): Promise<void>;
  /** Deletes the file whatever its version; a file already gone is fine. */
  delete(blobPath: string): Promise<void>;
  /**
   * A URL that lets its holder create or overwrite exactly this file, and nothing else (no read, list or delete),
   * until `expiresAt`. It is a secret: it must never be logged.
   */
  uploadUrl(blobPath: string, expiresAt: Date): Promise<string>;
}

import { createHash } from 'node:crypto';
import type { CompanionAssetStore, StoredAssetContent, StoredAssetInfo } from '../../../shared/domain/companion-asset-store.js';

interface StoredFile {
  readonly bytes: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

/** The companion media container in memory; read URLs are fake `memory://` addresses no test fetches. */
export class InMemoryCompanionAssetStore implements CompanionAssetStore {
  readonly files = new Map<string, StoredFile>();
  writes = 0;

  async read(blobPath: string) {
    const file = this.files.get(blobPath);
    return file === undefined ? undefined : { bytes: Buffer.from(file.bytes), contentType: file.contentType };
  }

  async write(blobPath: string, bytes: Uint8Array, contentType: string): Promise<void> {
    this.writes += 1;
    const copy = Buffer.from(bytes);
    this.files.set(blobPath, { bytes: copy, contentType, etag: `"${createHash('sha256').update(copy).digest('hex').slice(0, 16)}"` });
  }

  async info(blobPath: string): Promise<StoredAssetInfo | undefined> {
    const file = this.files.get(blobPath);
    return file === undefined ? undefined : { contentType: file.contentType, contentLength: file.bytes.length, etag: file.etag };
  }

  async open(blobPath: string): Promise<StoredAssetContent | undefined> {
    const file = this.files.get(blobPath);
    if (file === undefined) return undefined;
    const bytes = file.bytes;
    return {
      contentType: file.contentType,
      contentLength: bytes.length,
      etag: file.etag,
      body: (async function* () {
        yield bytes;
      })(),
    };
  }

  async readUrl(blobPath: string, validForSeconds: number): Promise<string> {
    return `memory://companions/${blobPath}?validFor=${validForSeconds}`;
  }
}

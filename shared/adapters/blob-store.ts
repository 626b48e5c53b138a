import type { BlobServiceClient } from '@azure/storage-blob';
import type { BlobStore } from '../domain/blob-store.js';
import { statusCodeOf } from './azure-errors.js';

/** Deletions run this many at a time: fast for a companion's handful of files, gentle on the account's limits. */
const DELETE_CONCURRENCY = 8;

/** Blob Storage behind the BlobStore port. */
export class AzureBlobStore implements BlobStore {
  constructor(private readonly blobs: BlobServiceClient) {}

  async deleteByPrefix(containerName: string, prefix: string): Promise<number> {
    // An empty or partial prefix would reach other companions' files (`proj_a/comp_1` also matches `comp_12`).
    if (!prefix.endsWith('/') || prefix.startsWith('/') || prefix.length < 2) {
      throw new Error('deleteByPrefix needs a folder prefix such as "a/b/"');
    }
    const container = this.blobs.getContainerClient(containerName);
    let deleted = 0;
    try {
      for await (const page of container.listBlobsFlat({ prefix }).byPage({ maxPageSize: 100 })) {
        const names = page.segment.blobItems.map((item) => item.name);
        for (let i = 0; i < names.length; i += DELETE_CONCURRENCY) {
          const results = await Promise.all(
            names
              .slice(i, i + DELETE_CONCURRENCY)
              .map((name) => container.getBlobClient(name).deleteIfExists({ deleteSnapshots: 'include' })),
          );
          deleted += results.filter((r) => r.succeeded).length;
        }
      }
    } catch (err) {
      // No container yet means no files yet.
      if (statusCodeOf(err) === 404) return deleted;
      throw err;
    }
    return deleted;
  }
}

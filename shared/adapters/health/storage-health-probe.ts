import type { BlobServiceClient } from '@azure/storage-blob';
import type { HealthProbe } from '../../domain/health-probe.js';

/**
 * Lists at most one container: works with a connection string and with a data-plane role (Storage Blob Data
 * Reader), unlike reading account properties, which needs account-level rights.
 */
export function createStorageHealthProbe(blobs: BlobServiceClient): HealthProbe {
  return {
    name: 'storage',
    async check(signal) {
      await blobs.listContainers({ abortSignal: signal }).byPage({ maxPageSize: 1 }).next();
    },
  };
}

import type { TokenCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import type { Config } from '../config.js';

/** Blob and queue clients for the function app's storage account: connection string locally, identity in Azure. */
export interface StorageClients {
  readonly blobs: BlobServiceClient;
  readonly queues: QueueServiceClient;
}

export function createStorageClients(config: Pick<Config, 'storage'>, credential: () => TokenCredential): StorageClients {
  const { storage } = config;
  if (storage.kind === 'connectionString') {
    return {
      blobs: BlobServiceClient.fromConnectionString(storage.connectionString),
      queues: QueueServiceClient.fromConnectionString(storage.connectionString),
    };
  }
  const identity = credential();
  return {
    blobs: new BlobServiceClient(storage.blobServiceUri, identity),
    queues: new QueueServiceClient(storage.queueServiceUri, identity),
  };
}

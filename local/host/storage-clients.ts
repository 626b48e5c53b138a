import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { HostStartupError } from './errors.js';
import type { HostSettings } from './settings.js';

/**
 * A storage connection as the Functions host resolves it from app settings: a connection string, or an
 * identity-based connection (`<name>__accountName` or `<name>__blobServiceUri`/`__queueServiceUri`).
 */
export type StorageConnection =
  | { readonly kind: 'connectionString'; readonly name: string; readonly connectionString: string }
  | {
      readonly kind: 'identity';
      readonly name: string;
      readonly blobServiceUri: string | undefined;
      readonly queueServiceUri: string | undefined;
      readonly clientId: string | undefined;
    };

/** The binding's `connection` (default AzureWebJobsStorage), also looked up with the `AzureWebJobs` prefix. */
export function resolveStorageConnection(
  settings: HostSettings,
  connection: string | undefined,
  where: string,
): StorageConnection {
  const name = connection && connection.length > 0 ? connection : 'AzureWebJobsStorage';
  for (const candidate of [name, `AzureWebJobs${name}`]) {
    const connectionString = settings[candidate]?.trim();
    if (connectionString) {
      return { kind: 'connectionString', name: candidate, connectionString };
    }
    const setting = (suffix: string): string | undefined => settings[`${candidate}__${suffix}`]?.trim() || undefined;
    const accountName = setting('accountName');
    const blobServiceUri =
      setting('blobServiceUri') ??
      setting('serviceUri') ??
      (accountName ? `https://${accountName}.blob.core.windows.net` : undefined);
    const queueServiceUri =
      setting('queueServiceUri') ?? (accountName ? `https://${accountName}.queue.core.windows.net` : undefined);
    if (blobServiceUri || queueServiceUri) {
      return { kind: 'identity', name: candidate, blobServiceUri, queueServiceUri, clientId: setting('clientId') };
    }
  }
  throw new HostStartupError(
    `${where} uses the storage connection "${name}", but neither the app setting "${name}" nor "${name}__accountName" is set.`,
  );
}

/**
 * One client per connection for the life of a host, so every listener of the same account shares a
 * connection pool. Works for Azurite and for real accounts alike.
 */
export class StorageClients {
  readonly #queues = new Map<string, QueueServiceClient>();
  readonly #blobs = new Map<string, BlobServiceClient>();
  readonly #credentials = new Map<string, TokenCredential>();

  queueService(connection: StorageConnection): QueueServiceClient {
    const key = connection.kind === 'connectionString' ? connection.connectionString : `${connection.name}:identity`;
    let client = this.#queues.get(key);
    if (!client) {
      if (connection.kind === 'connectionString') {
        client = QueueServiceClient.fromConnectionString(connection.connectionString);
      } else if (connection.queueServiceUri) {
        client = new QueueServiceClient(connection.queueServiceUri, this.#credential(connection.clientId));
      } else {
        throw new HostStartupError(`The storage connection "${connection.name}" has no queue service URI.`);
      }
      this.#queues.set(key, client);
    }
    return client;
  }

  blobService(connection: StorageConnection): BlobServiceClient {
    const key = connection.kind === 'connectionString' ? connection.connectionString : `${connection.name}:identity`;
    let client = this.#blobs.get(key);
    if (!client) {
      if (connection.kind === 'connectionString') {
        client = BlobServiceClient.fromConnectionString(connection.connectionString);
      } else if (connection.blobServiceUri) {
        client = new BlobServiceClient(connection.blobServiceUri, this.#credential(connection.clientId));
      } else {
        throw new HostStartupError(`The storage connection "${connection.name}" has no blob service URI.`);
      }
      this.#blobs.set(key, client);
    }
    return client;
  }

  #credential(clientId: string | undefined): TokenCredential {
    const key = clientId ?? '';
    let credential = this.#credentials.get(key);
    if (!credential) {
      credential = new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
      this.#credentials.set(key, credential);
    }
    return credential;
  }
}

/** Storage REST errors carry the HTTP status; anything else is treated as not a status at all. */
export function storageStatusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const status = (error as { statusCode?: unknown }).statusCode;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}

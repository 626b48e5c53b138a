import {
  BlobSASPermissions,
  StorageSharedKeyCredential,
  type BlobServiceClient,
  type ContainerClient,
  type UserDelegationKey,
} from '@azure/storage-blob';
import { COMPANION_MEDIA_CONTAINER } from '../domain/companion.js';
import type { CompanionAssetStore, StoredAssetContent, StoredAssetInfo } from '../domain/companion-asset-store.js';
import { statusCodeOf } from './azure-errors.js';

async function orUndefinedWhenMissing<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (statusCodeOf(err) === 404) return undefined;
    throw err;
  }
}

async function* chunksOf(stream: NodeJS.ReadableStream): AsyncIterable<Uint8Array> {
  for await (const chunk of stream) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

/** Clock skew between this host and the storage service should not make a fresh URL "not yet valid". */
const SAS_START_SKEW_MS = 5 * 60 * 1000;

/**
 * The companion media container in Blob Storage. Read URLs are service SAS URLs signed with the account key when the
 * connection has one (connection strings, Azurite), otherwise user delegation SAS URLs signed with a key obtained
 * through the managed identity (which needs the "Storage Blob Delegator" role).
 */
export class AzureCompanionAssetStore implements CompanionAssetStore {
  private readonly container: ContainerClient;
  private delegationKey: { key: UserDelegationKey; expiresOn: Date } | undefined;

  constructor(private readonly blobs: BlobServiceClient) {
    this.container = blobs.getContainerClient(COMPANION_MEDIA_CONTAINER);
  }

  async read(blobPath: string): Promise<{ bytes: Buffer; contentType: string } | undefined> {
    return orUndefinedWhenMissing(async () => {
      const response = await this.container.getBlobClient(blobPath).download();
      const chunks: Uint8Array[] = [];
      if (response.readableStreamBody !== undefined) for await (const chunk of chunksOf(response.readableStreamBody)) chunks.push(chunk);
      return { bytes: Buffer.concat(chunks), contentType: response.contentType ?? 'application/octet-stream' };
    });
  }

  async write(blobPath: string, bytes: Uint8Array, contentType: string): Promise<void> {
    const blob = this.container.getBlockBlobClient(blobPath);
    const upload = () => blob.uploadData(bytes, { blobHTTPHeaders: { blobContentType: contentType } });
    try {
      await upload();
    } catch (err) {
      // The intake normally creates the container; a companion without media may get here first.
      if (statusCodeOf(err) !== 404) throw err;
      await this.container.createIfNotExists();
      await upload();
    }
  }

  async info(blobPath: string): Promise<StoredAssetInfo | undefined> {
    return orUndefinedWhenMissing(async () => {
      const properties = await this.container.getBlobClient(blobPath).getProperties();
      return {
        contentType: properties.contentType ?? 'application/octet-stream',
        contentLength: properties.contentLength ?? 0,
        etag: properties.etag ?? '',
      };
    });
  }

  async open(blobPath: string): Promise<StoredAssetContent | undefined> {
    return orUndefinedWhenMissing(async () => {
      const response = await this.container.getBlobClient(blobPath).download();
      if (response.readableStreamBody === undefined) throw new Error('the blob download returned no stream');
      return {
        contentType: response.contentType ?? 'application/octet-stream',
        contentLength: response.contentLength ?? 0,
        etag: response.etag ?? '',
        body: chunksOf(response.readableStreamBody),
      };
    });
  }

  async readUrl(blobPath: string, validForSeconds: number): Promise<string> {
    const blob = this.container.getBlobClient(blobPath);
    const now = Date.now();
    const options = {
      permissions: BlobSASPermissions.parse('r'),
      startsOn: new Date(now - SAS_START_SKEW_MS),
      expiresOn: new Date(now + validForSeconds * 1000),
    };
    if (this.blobs.credential instanceof StorageSharedKeyCredential) return blob.generateSasUrl(options);
    return blob.generateUserDelegationSasUrl(options, await this.userDelegationKey(options.expiresOn));
  }

  /** One delegation key serves many URLs; a new one is fetched when the cached one would expire before the URL. */
  private async userDelegationKey(needValidUntil: Date): Promise<UserDelegationKey> {
    if (this.delegationKey !== undefined && this.delegationKey.expiresOn > needValidUntil) return this.delegationKey.key;
    const startsOn = new Date(Date.now() - SAS_START_SKEW_MS);
    const expiresOn = new Date(Math.max(needValidUntil.getTime(), Date.now() + 6 * 60 * 60 * 1000));
    const key = await this.blobs.getUserDelegationKey(startsOn, expiresOn);
    this.delegationKey = { key, expiresOn };
    return key;
  }
}

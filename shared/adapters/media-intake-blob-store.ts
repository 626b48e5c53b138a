import {
  BlobSASPermissions,
  SASProtocol,
  StorageSharedKeyCredential,
  type BlobSASSignatureValues,
  type BlobServiceClient,
  type ContainerClient,
  type UserDelegationKey,
} from '@azure/storage-blob';
import { COMPANION_MEDIA_CONTAINER } from '../domain/companion.js';
import type { MediaIntakeStore } from '../domain/media-intake-store.js';
import { statusCodeOf } from './azure-errors.js';

/** Clock skew between this host and the storage service should not make a fresh URL "not yet valid". */
const SAS_START_SKEW_MS = 5 * 60 * 1000;

/** A delegation key is asked for at most this often; each one signs every upload URL until it nears its end. */
const DELEGATION_KEY_LIFETIME_MS = 6 * 60 * 60 * 1000;

/**
 * The companion media container in Blob Storage, for the intake. Upload URLs are service SAS URLs with create and
 * write permission on one blob: signed with the account key when the connection has one (connection strings,
 * Azurite), otherwise user delegation SAS signed with a key obtained through the managed identity, which needs the
 * "Storage Blob Delegator" role (included in "Storage Blob Data Contributor").
 */
export class AzureMediaIntakeStore implements MediaIntakeStore {
  private readonly container: ContainerClient;
  private delegationKey: { readonly key: UserDelegationKey; readonly expiresOn: Date } | undefined;
  private containerExists = false;

  /** `containerName`: the same intake mechanics serve other containers of landed files (knowledge files). */
  constructor(
    private readonly blobs: BlobServiceClient,
    containerName: string = COMPANION_MEDIA_CONTAINER,
  ) {
    this.container = blobs.getContainerClient(containerName);
  }

  async write(blobPath: string, bytes: Uint8Array, contentType: string): Promise<void> {
    const blob = this.container.getBlockBlobClient(blobPath);
    const upload = () => blob.uploadData(bytes, { blobHTTPHeaders: { blobContentType: contentType } });
    try {
      await upload();
    } catch (err) {
      // A fresh account (or Azurite) has no container until the first file.
      if (statusCodeOf(err) !== 404) throw err;
      await this.container.createIfNotExists();
      await upload();
    }
  }

  async copyVersion(fromPath: string, etag: string, toPath: string, contentType: string): Promise<boolean> {
    const source = this.container.getBlobClient(fromPath);
    const target = this.container.getBlobClient(toPath);
    try {
      // Within one account the service copies by itself, authorised like this request (key or identity); a copy that
      // does not finish at once is polled briefly rather than at the SDK's default of 15 s.
      const poller = await target.beginCopyFromURL(source.url, { sourceConditions: { ifMatch: quoted(etag) }, intervalInMs: 250 });
      const copied = await poller.pollUntilDone();
      if (copied.copyStatus !== 'success') throw new Error(`copying ${fromPath} ended as ${copied.copyStatus ?? 'unknown'}`);
    } catch (err) {
      const status = statusCodeOf(err);
      if (status === 404 || status === 412) return false;
      throw err;
    }
    // A copy keeps the source's properties, which are the client's declaration; the stored type is the sniffed one.
    await target.setHTTPHeaders({ blobContentType: contentType });
    return true;
  }

  async deleteVersion(blobPath: string, etag: string): Promise<void> {
    try {
      await this.container.getBlobClient(blobPath).deleteIfExists({ conditions: { ifMatch: quoted(etag) } });
    } catch (err) {
      // 412: a newer version was written meanwhile and waits for its own check.
      if (statusCodeOf(err) !== 412) throw err;
    }
  }

  async delete(blobPath: string): Promise<void> {
    await this.container.getBlobClient(blobPath).deleteIfExists();
  }

  async uploadUrl(blobPath: string, expiresAt: Date): Promise<string> {
    // The client's PUT fails on a missing container, and nothing else may have created it yet in a fresh account.
    if (!this.containerExists) {
      await this.container.createIfNotExists();
      this.containerExists = true;
    }
    const blob = this.container.getBlobClient(blobPath);
    const options: Omit<BlobSASSignatureValues, 'containerName' | 'blobName'> = {
      // Create and write only: the URL cannot read, list or delete, not even the file it wrote.
      permissions: BlobSASPermissions.parse('cw'),
      startsOn: new Date(Date.now() - SAS_START_SKEW_MS),
      expiresOn: expiresAt,
      // Azurite serves plain HTTP on this machine; a real account is always reached over HTTPS.
      protocol: blob.url.startsWith('https:') ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
    };
    if (this.blobs.credential instanceof StorageSharedKeyCredential) return blob.generateSasUrl(options);
    return blob.generateUserDelegationSasUrl(options, await this.userDelegationKey(expiresAt));
  }

  /** One delegation key signs many URLs; a new one is fetched when the cached one would expire before the URL. */
  private async userDelegationKey(needValidUntil: Date): Promise<UserDelegationKey> {
    if (this.delegationKey !== undefined && this.delegationKey.expiresOn > needValidUntil) return this.delegationKey.key;
    const startsOn = new Date(Date.now() - SAS_START_SKEW_MS);
    const expiresOn = new Date(Math.max(needValidUntil.getTime(), Date.now() + DELEGATION_KEY_LIFETIME_MS));
    const key = await this.blobs.getUserDelegationKey(startsOn, expiresOn);
    this.delegationKey = { key, expiresOn };
    return key;
  }
}

/** Listings give ETags bare and headers quoted; conditions want the quoted form. */
function quoted(etag: string): string {
  return `"${etag.replace(/^"|"$/g, '')}"`;
}

import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { KNOWLEDGE_CONTAINER } from '../../domain/knowledge/knowledge-paths.js';
import type { KnowledgeFileStore } from '../../domain/knowledge/knowledge-file-store.js';
import { statusCodeOf } from '../azure-errors.js';
import { AzureBlobStore } from '../blob-store.js';
import { AzureMediaIntakeStore } from '../media-intake-blob-store.js';

/**
 * The `knowledge` container in Blob Storage. Landed files, conditional deletes and upload URLs work exactly as for
 * companion media (write-only service or user delegation SAS on one blob), so that store serves this container too.
 */
export class AzureKnowledgeFileStore implements KnowledgeFileStore {
  private readonly files: AzureMediaIntakeStore;
  private readonly folders: AzureBlobStore;
  private readonly container: ContainerClient;

  constructor(blobs: BlobServiceClient) {
    this.files = new AzureMediaIntakeStore(blobs, KNOWLEDGE_CONTAINER);
    this.folders = new AzureBlobStore(blobs);
    this.container = blobs.getContainerClient(KNOWLEDGE_CONTAINER);
  }

  async landedVersion(blobPath: string): Promise<string | undefined> {
    try {
      const { etag } = await this.container.getBlobClient(blobPath).getProperties();
      return etag?.replace(/^"|"$/g, '');
    } catch (err) {
      // No blob (blocks staged but never committed are not a blob), or no container yet.
      if (statusCodeOf(err) === 404) return undefined;
      throw err;
    }
  }

  write(blobPath: string, bytes: Uint8Array, contentType: string): Promise<void> {
    return this.files.write(blobPath, bytes, contentType);
  }

  uploadUrl(blobPath: string, expiresAt: Date): Promise<string> {
    return this.files.uploadUrl(blobPath, expiresAt);
  }

  deleteVersion(blobPath: string, etag: string): Promise<void> {
    return this.files.deleteVersion(blobPath, etag);
  }

  deleteFolder(prefix: string): Promise<number> {
    return this.folders.deleteByPrefix(KNOWLEDGE_CONTAINER, prefix);
  }
}

import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { storageStatusOf } from '../storage-clients.js';

/** The container where the WebJobs SDK keeps blob receipts, timer status and locks. */
export const hostsContainerName = 'azure-webjobs-hosts';

export type ReceiptClaim =
  | { readonly kind: 'done' }
  | { readonly kind: 'busy' }
  | { readonly kind: 'claimed'; readonly attempt: number; readonly receiptEtag: string };

export type ReceiptOutcome = 'completed' | 'poisoned';

/** Storage ETags come quoted from headers and bare from listings; receipts always use the quoted form. */
export function quotedEtag(etag: string): string {
  return `"${etag.replace(/^"|"$/g, '')}"`;
}

/**
 * Blob receipts: one blob per (function, blob, ETag) under `blobreceipts/<hostId>/<function>/"<etag>"/...`.
 * A receipt marked done means that version of the blob was processed, so a restart does not trigger it again
 * while an overwrite (a new ETag) does. The attempt count lives in the receipt so retries survive restarts,
 * and every write is conditional so two hosts never both claim the same try.
 */
export class BlobReceipts {
  readonly #container: ContainerClient;
  readonly #root: string;

  constructor(blobService: BlobServiceClient, hostId: string, functionName: string) {
    this.#container = blobService.getContainerClient(hostsContainerName);
    this.#root = `blobreceipts/${hostId}/${functionName}`;
  }

  async ensureContainer(): Promise<void> {
    await this.#container.createIfNotExists();
  }

  receiptName(containerName: string, blobName: string, blobEtag: string): string {
    return `${this.#root}/${quotedEtag(blobEtag)}/${containerName}/${blobName}`;
  }

  async claim(containerName: string, blobName: string, blobEtag: string): Promise<ReceiptClaim> {
    const receipt = this.#container.getBlockBlobClient(this.receiptName(containerName, blobName, blobEtag));
    let existing;
    try {
      existing = await receipt.getProperties();
    } catch (error) {
      if (storageStatusOf(error) !== 404) throw error;
    }
    try {
      if (!existing) {
        const created = await receipt.upload('', 0, {
          metadata: { status: 'pending', attempts: '1' },
          conditions: { ifNoneMatch: '*' },
        });
        return { kind: 'claimed', attempt: 1, receiptEtag: created.etag ?? '' };
      }
      const status = existing.metadata?.['status'];
      if (status === 'completed' || status === 'poisoned') {
        return { kind: 'done' };
      }
      const attempt = Number(existing.metadata?.['attempts'] ?? '0') + 1;
      const updated = await receipt.setMetadata(
        { status: 'pending', attempts: String(attempt) },
        { conditions: { ifMatch: existing.etag ?? '*' } },
      );
      return { kind: 'claimed', attempt, receiptEtag: updated.etag ?? '' };
    } catch (error) {
      const status = storageStatusOf(error);
      if (status === 409 || status === 412) return { kind: 'busy' };
      throw error;
    }
  }

  async finish(
    containerName: string,
    blobName: string,
    blobEtag: string,
    claim: Extract<ReceiptClaim, { kind: 'claimed' }>,
    outcome: ReceiptOutcome,
  ): Promise<void> {
    const receipt = this.#container.getBlockBlobClient(this.receiptName(containerName, blobName, blobEtag));
    await receipt.setMetadata(
      { status: outcome, attempts: String(claim.attempt) },
      { conditions: { ifMatch: claim.receiptEtag } },
    );
  }
}

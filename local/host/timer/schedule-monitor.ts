import type { BlobServiceClient, BlockBlobClient } from '@azure/storage-blob';
import { hostsContainerName } from '../blob/blob-receipts.js';
import { storageStatusOf } from '../storage-clients.js';

/** What the host passes as `ScheduleStatus` and keeps between runs (ISO dates). */
export interface ScheduleStatus {
  readonly Last: string;
  readonly Next: string;
  readonly LastUpdated: string;
}

function isScheduleStatus(value: unknown): value is ScheduleStatus {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return ['Last', 'Next', 'LastUpdated'].every(
    (key) => typeof record[key] === 'string' && !Number.isNaN(Date.parse(record[key] as string)),
  );
}

/**
 * Persists a timer's schedule status at `azure-webjobs-hosts/timers/<hostId>/<function>/status`, as the
 * WebJobs schedule monitor does, so an occurrence missed while the host was down runs past due at start.
 */
export class ScheduleMonitor {
  readonly #blob: BlockBlobClient;
  readonly #blobService: BlobServiceClient;

  constructor(blobService: BlobServiceClient, hostId: string, functionName: string) {
    this.#blobService = blobService;
    this.#blob = blobService
      .getContainerClient(hostsContainerName)
      .getBlockBlobClient(`timers/${hostId}/${functionName}/status`);
  }

  async read(): Promise<ScheduleStatus | undefined> {
    try {
      const content = await this.#blob.downloadToBuffer();
      const parsed: unknown = JSON.parse(content.toString('utf8'));
      return isScheduleStatus(parsed) ? parsed : undefined;
    } catch (error) {
      if (storageStatusOf(error) === 404 || error instanceof SyntaxError) return undefined;
      throw error;
    }
  }

  async write(status: ScheduleStatus): Promise<void> {
    await this.#blobService.getContainerClient(hostsContainerName).createIfNotExists();
    const body = JSON.stringify(status);
    await this.#blob.upload(body, Buffer.byteLength(body), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
  }
}

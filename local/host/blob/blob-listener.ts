import type { BlobItem, BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import type { QueueServiceClient } from '@azure/storage-queue';
import type { RpcTypedData } from '@azure/functions-core';
import type { FunctionRegistration, FunctionsCoreRegistry } from '../../functions-core/index.js';
import type { QueueMessageEncoding } from '../host-json.js';
import type { InflightWork } from '../inflight.js';
import { invokeRegistration, newInvocationId } from '../invoke.js';
import { describeError, type HostLogger } from '../logger.js';
import { encodeQueueMessage } from '../queue/message-encoding.js';
import { jsonData, stringData, sysMetadata } from '../rpc-data.js';
import { sleep } from '../sleep.js';
import { storageStatusOf } from '../storage-clients.js';
import type { BlobPathPattern } from './blob-path.js';
import { quotedEtag, type BlobReceipts } from './blob-receipts.js';

/** Where the WebJobs SDK reports blobs whose function kept failing. */
export const blobPoisonQueueName = 'webjobs-blobtrigger-poison';

export interface BlobListenerOptions {
  readonly registry: FunctionsCoreRegistry;
  readonly registration: FunctionRegistration;
  readonly bindingName: string;
  readonly blobService: BlobServiceClient;
  readonly queueService: QueueServiceClient;
  readonly pattern: BlobPathPattern;
  readonly receipts: BlobReceipts;
  readonly pollIntervalMs: number;
  readonly maxParallelism: number;
  /** Tries per blob version before it is reported on the poison queue (host.json poisonBlobThreshold). */
  readonly maxAttempts: number;
  readonly messageEncoding: QueueMessageEncoding;
  readonly inflight: InflightWork;
  readonly logger: HostLogger;
}

/**
 * The blob trigger served by scanning the container, which is what "LogsAndContainerScan" amounts to
 * on a single machine; `source: 'EventGrid'` registrations are served the same way locally.
 */
export class BlobListener {
  readonly #options: BlobListenerOptions;
  readonly #container: ContainerClient;
  readonly #stop = new AbortController();
  readonly #category: string;
  /** Blob name → ETag whose receipt is known to be done, to skip re-reading receipts on every scan. */
  readonly #done = new Map<string, string>();
  readonly #running = new Set<string>();
  #loop: Promise<void> | undefined;

  constructor(options: BlobListenerOptions) {
    this.#options = options;
    this.#container = options.blobService.getContainerClient(options.pattern.container);
    this.#category = `Function.${options.registration.metadata.name}`;
  }

  get functionName(): string {
    return this.#options.registration.metadata.name;
  }

  async start(): Promise<void> {
    await Promise.all([this.#container.createIfNotExists(), this.#options.receipts.ensureContainer()]);
    this.#loop = this.#poll();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  async #poll(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      try {
        await this.#scan();
      } catch (error) {
        this.#options.logger.warn(this.#category, 'Scanning the container failed', {
          container: this.#options.pattern.container,
          ...describeError(error),
        });
        if (storageStatusOf(error) === 404) {
          await this.#container.createIfNotExists().catch(() => undefined);
        }
      }
      await sleep(this.#options.pollIntervalMs, this.#stop.signal);
    }
  }

  async #scan(): Promise<void> {
    const listing = this.#container.listBlobsFlat({ prefix: this.#options.pattern.prefix || undefined, includeMetadata: true });
    for await (const item of listing) {
      if (this.#stop.signal.aborted || this.#running.size >= this.#options.maxParallelism) {
        return;
      }
      const bound = this.#options.pattern.match(item.name);
      const etag = item.properties.etag;
      if (!bound || !etag || this.#running.has(item.name) || this.#done.get(item.name) === etag) {
        continue;
      }
      this.#running.add(item.name);
      void this.#options.inflight.track(
        this.#process(item, etag, bound).finally(() => this.#running.delete(item.name)),
      );
    }
  }

  async #process(item: BlobItem, etag: string, bound: Record<string, string>): Promise<void> {
    const { receipts, maxAttempts } = this.#options;
    const containerName = this.#options.pattern.container;
    try {
      const claim = await receipts.claim(containerName, item.name, etag);
      if (claim.kind === 'done') {
        this.#done.set(item.name, etag);
        return;
      }
      if (claim.kind === 'busy') {
        return;
      }
      const blob = this.#container.getBlobClient(item.name);
      if (claim.attempt > maxAttempts) {
        // Tries were used up by hosts that died mid-invocation.
        await this.#reportPoison(item, etag);
        await receipts.finish(containerName, item.name, etag, claim, 'poisoned');
        this.#done.set(item.name, etag);
        return;
      }

      let content: Buffer;
      try {
        content = await blob.downloadToBuffer(0, undefined, { conditions: { ifMatch: quotedEtag(etag) } });
      } catch (error) {
        const status = storageStatusOf(error);
        if (status === 404 || status === 412) {
          // Deleted or overwritten since the listing: the next scan sees the current version, if any.
          return;
        }
        throw error;
      }

      const invocationId = newInvocationId();
      const started = Date.now();
      try {
        await invokeRegistration(this.#options.registry, this.#options.registration, {
          invocationId,
          inputData: [{ name: this.#options.bindingName, data: { bytes: content } }],
          triggerMetadata: this.#triggerMetadata(item, blob.url, bound),
        });
      } catch (error) {
        const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
        this.#options.logger.error(this.#category, 'Executed (Failed)', {
          invocationId,
          functionName: this.functionName,
          blobName: item.name,
          attempt: claim.attempt,
          durationMs: Date.now() - started,
          ...describeError(cause),
        });
        if (claim.attempt >= maxAttempts) {
          await this.#reportPoison(item, etag);
          await receipts.finish(containerName, item.name, etag, claim, 'poisoned');
          this.#done.set(item.name, etag);
        }
        return;
      }
      await receipts.finish(containerName, item.name, etag, claim, 'completed');
      this.#done.set(item.name, etag);
      this.#options.logger.info(this.#category, 'Executed (Succeeded)', {
        invocationId,
        functionName: this.functionName,
        blobName: item.name,
        attempt: claim.attempt,
        durationMs: Date.now() - started,
      });
    } catch (error) {
      this.#options.logger.warn(this.#category, 'Processing the blob failed; it is retried on a later scan', {
        blobName: item.name,
        ...describeError(error),
      });
    }
  }

  async #reportPoison(item: BlobItem, etag: string): Promise<void> {
    const poisonQueue = this.#options.queueService.getQueueClient(blobPoisonQueueName);
    await poisonQueue.createIfNotExists();
    const message = {
      Type: 'BlobTrigger',
      // The WebJobs SDK names functions Host.Functions.<name> in this message.
      FunctionId: `Host.Functions.${this.functionName}`,
      BlobType: item.properties.blobType ?? 'BlockBlob',
      ContainerName: this.#options.pattern.container,
      BlobName: item.name,
      ETag: quotedEtag(etag),
    };
    await poisonQueue.sendMessage(encodeQueueMessage(JSON.stringify(message), this.#options.messageEncoding));
    this.#options.logger.warn(this.#category, 'Blob reported on the poison queue', {
      functionName: this.functionName,
      blobName: item.name,
      poisonQueue: blobPoisonQueueName,
    });
  }

  #triggerMetadata(item: BlobItem, uri: string, bound: Record<string, string>): Record<string, RpcTypedData> {
    const p = item.properties;
    const metadata: Record<string, RpcTypedData> = {};
    for (const [name, value] of Object.entries(bound)) {
      metadata[name] = stringData(value);
    }
    metadata['BlobTrigger'] = stringData(`${this.#options.pattern.container}/${item.name}`);
    metadata['Uri'] = stringData(uri);
    // PascalCase as the host serializes BlobProperties; the library camel-cases it back.
    metadata['Properties'] = jsonData({
      BlobType: p.blobType,
      ContentLength: p.contentLength,
      ContentType: p.contentType,
      ContentEncoding: p.contentEncoding,
      ContentLanguage: p.contentLanguage,
      ContentDisposition: p.contentDisposition,
      CacheControl: p.cacheControl,
      ContentHash: p.contentMD5 ? Buffer.from(p.contentMD5).toString('base64') : undefined,
      ETag: quotedEtag(p.etag),
      CreatedOn: p.createdOn?.toISOString(),
      LastModified: p.lastModified.toISOString(),
      AccessTier: p.accessTier,
      LeaseState: p.leaseState,
      LeaseStatus: p.leaseStatus,
    });
    metadata['Metadata'] = jsonData(item.metadata ?? {});
    metadata['sys'] = sysMetadata(this.functionName);
    return metadata;
  }
}

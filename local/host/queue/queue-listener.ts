import type { DequeuedMessageItem, QueueClient, QueueServiceClient } from '@azure/storage-queue';
import type { RpcTypedData } from '@azure/functions-core';
import type { FunctionRegistration, FunctionsCoreRegistry } from '../../functions-core/index.js';
import type { QueueHostOptions } from '../host-json.js';
import type { InflightWork } from '../inflight.js';
import { invokeRegistration, newInvocationId } from '../invoke.js';
import { describeError, type HostLogger } from '../logger.js';
import { jsonData, stringData, sysMetadata } from '../rpc-data.js';
import { sleep } from '../sleep.js';
import { storageStatusOf } from '../storage-clients.js';
import { decodeQueueMessage } from './message-encoding.js';

export interface QueueListenerOptions {
  readonly registry: FunctionsCoreRegistry;
  readonly registration: FunctionRegistration;
  readonly bindingName: string;
  readonly queueService: QueueServiceClient;
  readonly queueName: string;
  readonly queueOptions: QueueHostOptions;
  /** How long a received message stays invisible before the host renews it (half-way through). */
  readonly messageLeaseMs: number;
  /** The first delay after an empty read; it doubles up to host.json's maxPollingInterval. */
  readonly minPollingIntervalMs: number;
  readonly inflight: InflightWork;
  readonly logger: HostLogger;
}

const seconds = (ms: number): number => Math.max(0, Math.floor(ms / 1000));

/**
 * The storage-queue trigger: reads batches, invokes the function per message, deletes on success, and on
 * failure makes the message visible again after `visibilityTimeout` or moves it to `<queue>-poison` once it
 * was dequeued `maxDequeueCount` times. At-least-once, like Azure.
 */
export class QueueListener {
  readonly #options: QueueListenerOptions;
  readonly #queue: QueueClient;
  readonly #poisonQueue: QueueClient;
  readonly #active = new Set<Promise<void>>();
  readonly #stop = new AbortController();
  readonly #stopped: Promise<void>;
  readonly #category: string;
  #loop: Promise<void> | undefined;

  constructor(options: QueueListenerOptions) {
    this.#options = options;
    this.#stopped = new Promise((resolve) => this.#stop.signal.addEventListener('abort', () => resolve(), { once: true }));
    this.#queue = options.queueService.getQueueClient(options.queueName);
    this.#poisonQueue = options.queueService.getQueueClient(`${options.queueName}-poison`);
    this.#category = `Function.${options.registration.metadata.name}`;
  }

  get functionName(): string {
    return this.#options.registration.metadata.name;
  }

  async start(): Promise<void> {
    await this.#queue.createIfNotExists();
    this.#loop = this.#poll();
  }

  /** Stops reading; messages already handed to the function finish under the host's in-flight tracking. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  async #poll(): Promise<void> {
    const { batchSize, newBatchThreshold, maxPollingIntervalMs } = this.#options.queueOptions;
    const minDelay = Math.min(this.#options.minPollingIntervalMs, maxPollingIntervalMs);
    let delay = minDelay;
    while (!this.#stop.signal.aborted) {
      if (this.#active.size > newBatchThreshold) {
        // Wait for room: one invocation finishing, or the stop.
        await Promise.race([...this.#active, this.#stopped]);
        continue;
      }
      let messages: DequeuedMessageItem[] = [];
      try {
        const response = await this.#queue.receiveMessages({
          numberOfMessages: batchSize,
          visibilityTimeout: Math.max(1, Math.ceil(this.#options.messageLeaseMs / 1000)),
        });
        messages = response.receivedMessageItems;
      } catch (error) {
        this.#options.logger.warn(this.#category, 'Reading the queue failed', {
          queueName: this.#options.queueName,
          ...describeError(error),
        });
        if (storageStatusOf(error) === 404) {
          await this.#queue.createIfNotExists().catch(() => undefined);
        }
      }
      if (this.#stop.signal.aborted) {
        // Read after stop began: hand them straight back rather than hide them for a whole lease.
        await Promise.allSettled(
          messages.map((m) => this.#queue.updateMessage(m.messageId, m.popReceipt, undefined, 0)),
        );
        break;
      }
      if (messages.length > 0) {
        delay = minDelay;
        for (const message of messages) {
          const work = this.#options.inflight.track(this.#process(message));
          this.#active.add(work);
          void work.finally(() => this.#active.delete(work));
        }
        continue;
      }
      await sleep(delay, this.#stop.signal);
      delay = Math.min(delay * 2, maxPollingIntervalMs);
    }
  }

  async #process(message: DequeuedMessageItem): Promise<void> {
    const { maxDequeueCount, messageEncoding, visibilityTimeoutMs } = this.#options.queueOptions;
    const lease = new MessageLease(this.#queue, message, this.#options.messageLeaseMs, (error) =>
      this.#options.logger.warn(this.#category, 'Renewing the message lease failed', {
        messageId: message.messageId,
        ...describeError(error),
      }),
    );
    try {
      // A message read more often than allowed was already failing when a host died mid-invocation.
      if (message.dequeueCount > maxDequeueCount) {
        await this.#moveToPoison(message, lease);
        return;
      }
      const invocationId = newInvocationId();
      let succeeded = false;
      const started = Date.now();
      try {
        const text = decodeQueueMessage(message.messageText, messageEncoding);
        lease.startRenewing();
        await invokeRegistration(this.#options.registry, this.#options.registration, {
          invocationId,
          inputData: [{ name: this.#options.bindingName, data: stringData(text) }],
          triggerMetadata: this.#triggerMetadata(message, text, lease.popReceipt),
        });
        succeeded = true;
        this.#options.logger.info(this.#category, 'Executed (Succeeded)', {
          invocationId,
          functionName: this.functionName,
          messageId: message.messageId,
          dequeueCount: message.dequeueCount,
          durationMs: Date.now() - started,
        });
      } catch (error) {
        const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
        this.#options.logger.error(this.#category, 'Executed (Failed)', {
          invocationId,
          functionName: this.functionName,
          messageId: message.messageId,
          dequeueCount: message.dequeueCount,
          durationMs: Date.now() - started,
          ...describeError(cause),
        });
      } finally {
        await lease.stopRenewing();
      }

      if (succeeded) {
        await this.#queue.deleteMessage(message.messageId, lease.popReceipt);
      } else if (message.dequeueCount >= maxDequeueCount) {
        await this.#moveToPoison(message, lease);
      } else {
        await this.#queue.updateMessage(message.messageId, lease.popReceipt, undefined, seconds(visibilityTimeoutMs));
      }
    } catch (error) {
      // The lease ran out or another reader took the message: it will be seen again, which is at-least-once.
      this.#options.logger.warn(this.#category, 'Completing the message failed', {
        messageId: message.messageId,
        ...describeError(error),
      });
    }
  }

  async #moveToPoison(message: DequeuedMessageItem, lease: MessageLease): Promise<void> {
    await this.#poisonQueue.createIfNotExists();
    // The text is copied as stored, so the poison queue holds the same encoding as the source queue.
    await this.#poisonQueue.sendMessage(message.messageText);
    await this.#queue.deleteMessage(message.messageId, lease.popReceipt);
    this.#options.logger.warn(this.#category, 'Message moved to the poison queue', {
      functionName: this.functionName,
      messageId: message.messageId,
      dequeueCount: message.dequeueCount,
      poisonQueue: `${this.#options.queueName}-poison`,
      encoding: this.#options.queueOptions.messageEncoding,
    });
  }

  #triggerMetadata(message: DequeuedMessageItem, text: string, popReceipt: string): Record<string, RpcTypedData> {
    return {
      QueueTrigger: stringData(text),
      Id: jsonData(message.messageId),
      DequeueCount: jsonData(message.dequeueCount),
      InsertionTime: jsonData(message.insertedOn.toISOString()),
      ExpirationTime: jsonData(message.expiresOn.toISOString()),
      NextVisibleTime: jsonData(message.nextVisibleOn.toISOString()),
      PopReceipt: jsonData(popReceipt),
      sys: sysMetadata(this.functionName),
    };
  }
}

/** Keeps a message invisible while its invocation runs; every update returns a new pop receipt. */
class MessageLease {
  readonly #queue: QueueClient;
  readonly #messageId: string;
  readonly #leaseMs: number;
  readonly #onError: (error: unknown) => void;
  #popReceipt: string;
  #timer: NodeJS.Timeout | undefined;
  #renewal: Promise<void> = Promise.resolve();

  constructor(queue: QueueClient, message: DequeuedMessageItem, leaseMs: number, onError: (error: unknown) => void) {
    this.#queue = queue;
    this.#messageId = message.messageId;
    this.#popReceipt = message.popReceipt;
    this.#leaseMs = leaseMs;
    this.#onError = onError;
  }

  get popReceipt(): string {
    return this.#popReceipt;
  }

  startRenewing(): void {
    this.#timer = setInterval(() => {
      this.#renewal = this.#renewal.then(async () => {
        try {
          const updated = await this.#queue.updateMessage(
            this.#messageId,
            this.#popReceipt,
            undefined,
            Math.max(1, Math.ceil(this.#leaseMs / 1000)),
          );
          if (updated.popReceipt) this.#popReceipt = updated.popReceipt;
        } catch (error) {
          this.#onError(error);
        }
      });
    }, Math.max(250, this.#leaseMs / 2));
  }

  async stopRenewing(): Promise<void> {
    clearInterval(this.#timer);
    await this.#renewal;
  }
}

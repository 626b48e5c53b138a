import type { QueueServiceClient } from '@azure/storage-queue';
import type { Clock } from '../domain/clock.js';
import { functionCallTimeoutCheckSchema, MAX_QUEUE_DELAY_SECONDS } from '../domain/function-call-timeout-check.js';
import type { GuardedWebSocketCaller } from '../domain/outbound.js';
import type { FunctionCallTimeouts, PendingWaitRef } from '../services/session-service.js';
import { createGuardedWebSocketCaller } from './outbound/guarded-websocket-caller.js';
import type { ConnectionRateLimiter, SessionSlotStore } from '../domain/session-admission.js';
import type { CountedContainer } from './cosmos/counted-container.js';
import { CosmosConnectionRateLimiter, CosmosSessionSlotStore } from './cosmos/session-admission-stores.js';
import { sendJsonMessage } from './queue-send.js';
import { FUNCTION_CALL_TIMEOUTS_QUEUE, SESSION_EVENTS_QUEUE } from './queues.js';
import { sessionMediaEventSchema, type SessionEventQueue, type SessionMediaEvent } from '../domain/session-media-event.js';

/** What the conversation runtime needs beyond the stores: WebSocket calls to explicit functions, and timeout checks. */
export interface SessionPorts {
  readonly rateLimiter: ConnectionRateLimiter;
  readonly sessionSlots: SessionSlotStore;
  readonly webSockets: GuardedWebSocketCaller;
  readonly functionCallTimeouts: FunctionCallTimeouts;
  readonly sessionEvents: SessionEventQueue;
}

/** The `session-events` storage queue. */
export class StorageQueueSessionEventQueue implements SessionEventQueue {
  constructor(private readonly queues: QueueServiceClient) {}

  async send(event: SessionMediaEvent): Promise<void> {
    await sendJsonMessage(this.queues.getQueueClient(SESSION_EVENTS_QUEUE), sessionMediaEventSchema.parse(event));
  }
}

/**
 * Timeout checks as messages of the `function-call-timeouts` queue, hidden until the deadline (plus a second, so the
 * check never runs just before it): whichever instance picks the message up settles the wait.
 */
export class StorageQueueFunctionCallTimeouts implements FunctionCallTimeouts {
  constructor(
    private readonly queues: QueueServiceClient,
    private readonly clock: Clock,
  ) {}

  async schedule(wait: PendingWaitRef, at: Date): Promise<void> {
    const delaySeconds = Math.ceil((at.getTime() - this.clock.now().getTime()) / 1000) + 1;
    await sendJsonMessage(this.queues.getQueueClient(FUNCTION_CALL_TIMEOUTS_QUEUE), functionCallTimeoutCheckSchema.parse(wait), {
      visibilityTimeoutSeconds: Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, delaySeconds)),
    });
  }
}

export function createSessionPorts(
  config: { readonly allowPrivateUrls: boolean },
  storage: { readonly queues: QueueServiceClient },
  container: (id: string) => CountedContainer,
  clock: Clock,
): SessionPorts {
  return {
    rateLimiter: new CosmosConnectionRateLimiter(container('connection-rates')),
    sessionSlots: new CosmosSessionSlotStore(container('session-slots')),
    webSockets: createGuardedWebSocketCaller({ allowPrivateUrls: config.allowPrivateUrls }),
    functionCallTimeouts: new StorageQueueFunctionCallTimeouts(storage.queues, clock),
    sessionEvents: new StorageQueueSessionEventQueue(storage.queues),
  };
}

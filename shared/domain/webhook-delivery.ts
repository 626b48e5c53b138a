import { z } from 'zod';
import { requestSignatureOf, SIGNATURE_HEADER, SIGNATURE_TIMESTAMP_HEADER } from './request-signature.js';
import { webhookEventSchema, type WebhookEvent, type WebhookEventType } from './webhook-event.js';

/**
 * One event's delivery to its project's webhook. `pending` covers both an attempt in flight (`phase: sending`, whose
 * instance holds it until `attemptStartedAt` + the lease) and the wait for the next attempt (`phase: waiting`, the
 * retry message already queued). `delivered`, `failed` and `skipped` are final: nothing changes them again.
 */
export const webhookDeliveryStatusSchema = z.enum(['pending', 'delivered', 'failed', 'skipped']);
export type WebhookDeliveryStatus = z.infer<typeof webhookDeliveryStatusSchema>;

export const webhookDeliveryPhaseSchema = z.enum(['sending', 'waiting']);
export type WebhookDeliveryPhase = z.infer<typeof webhookDeliveryPhaseSchema>;

export interface WebhookDelivery {
  /** The event id: one delivery per event, whatever number of messages carry it. */
  readonly eventId: string;
  readonly projectId: string;
  readonly orgId: string;
  readonly type: WebhookEventType;
  readonly occurredAt: string;
  readonly status: WebhookDeliveryStatus;
  readonly phase?: WebhookDeliveryPhase | undefined;
  /** Attempts started (the number of the current or last attempt). */
  readonly attempts: number;
  readonly attemptStartedAt?: string | undefined;
  /** The HTTP status of the last answer, when there was one. */
  readonly lastStatus?: number | undefined;
  /** Why the last attempt failed (or why the event was skipped), in words a customer can act on. */
  readonly lastError?: string | undefined;
  readonly nextAttemptAt?: string | undefined;
  readonly deliveredAt?: string | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly etag: string;
}

export type NewWebhookDelivery = Omit<WebhookDelivery, 'etag'>;

/**
 * The message of the `webhook-events` queue: the event as published, and for a retry the number of the attempt it
 * asks for (absent: the first).
 */
export const webhookDeliveryMessageSchema = webhookEventSchema.extend({
  attempt: z.number().int().min(1).max(1000).optional(),
});
export type WebhookDeliveryMessage = z.infer<typeof webhookDeliveryMessageSchema>;

/** Queues the next attempt of a delivery, hidden for the given delay. */
export interface WebhookRetryQueue {
  schedule(message: WebhookDeliveryMessage, delaySeconds: number): Promise<void>;
}

/**
 * The default waits before each retry, in seconds: 10 s, 30 s, 1, 2, 5, 10, 15 and 20 minutes, about an hour from
 * the first attempt to the ninth and last.
 */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE_SECONDS: readonly number[] = [10, 30, 60, 120, 300, 600, 900, 1200];

/** A storage queue message may stay hidden for at most 7 days. */
export const MAX_WEBHOOK_RETRY_DELAY_SECONDS = 7 * 24 * 3600;

/** A backoff schedule: the wait before each retry. The attempts are one more than the waits. */
export class WebhookRetrySchedule {
  readonly delaysSeconds: readonly number[];

  constructor(delaysSeconds: readonly number[] = DEFAULT_WEBHOOK_RETRY_SCHEDULE_SECONDS) {
    if (delaysSeconds.some((d) => !Number.isInteger(d) || d < 0 || d > MAX_WEBHOOK_RETRY_DELAY_SECONDS)) {
      throw new RangeError(`retry delays must be whole seconds between 0 and ${MAX_WEBHOOK_RETRY_DELAY_SECONDS}`);
    }
    this.delaysSeconds = [...delaysSeconds];
  }

  /** Every attempt: the first and one per wait. */
  get maxAttempts(): number {
    return this.delaysSeconds.length + 1;
  }

  /** The wait after attempt `attempt` (1-based) failed, or undefined when it was the last. */
  delayAfter(attempt: number): number | undefined {
    return attempt >= 1 && attempt <= this.delaysSeconds.length ? this.delaysSeconds[attempt - 1] : undefined;
  }

  /** From the first attempt to the last, the waits alone (the attempts' own time comes on top). */
  get totalSeconds(): number {
    return this.delaysSeconds.reduce((sum, d) => sum + d, 0);
  }
}

/**
 * Reads a schedule written as comma-separated seconds (`10,30,60`); returns the problem in words, or the delays.
 * An empty list means a single attempt.
 */
export function parseRetrySchedule(text: string): { delays: number[] } | { problem: string } {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length === 1 && parts[0] === '') return { delays: [] };
  if (parts.length > 50) return { problem: 'must list at most 50 delays' };
  const delays: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,7}$/.test(part) || Number(part) > MAX_WEBHOOK_RETRY_DELAY_SECONDS) {
      return { problem: `must be comma-separated whole seconds, each at most ${MAX_WEBHOOK_RETRY_DELAY_SECONDS} (e.g. 10,30,60)` };
    }
    delays.push(Number(part));
  }
  return { delays };
}

/** The header that identifies an event to its receiver (the event id): the same on every attempt, for deduplication. */
export const WEBHOOK_ID_HEADER = 'X-Webhook-Id';

/** The JSON a receiver gets: the event without the organization (the project is the receiver's scope). */
export function webhookPayloadOf(event: WebhookEvent): string {
  return JSON.stringify({ id: event.id, type: event.type, occurredAt: event.occurredAt, data: event.data, projectId: event.projectId });
}

/**
 * The headers of one attempt: the body's type, the event id and the signature under every valid secret (the current
 * one first), all with the same timestamp, as `v1=<current>,v1=<previous>`.
 */
export function webhookRequestHeaders(eventId: string, body: string, secrets: readonly string[], now: Date): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'content-type': 'application/json',
    [WEBHOOK_ID_HEADER]: eventId,
    [SIGNATURE_TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: secrets.map((secret) => requestSignatureOf(secret, timestamp, body)).join(','),
  };
}

import type { Clock } from '../domain/clock.js';
import { ConflictError, PreconditionFailedError } from '../domain/errors.js';
import type { Logger } from '../domain/logger.js';
import {
  RemoteFileTooLargeError,
  UrlFetchTimedOutError,
  UrlNotAllowedError,
  UrlUnreachableError,
  type GuardedFetcher,
} from '../domain/outbound.js';
import type { SecretSealer } from '../domain/secret-sealer.js';
import { previousSecretValid, webhookTakes, type Webhook } from '../domain/webhook.js';
import {
  webhookPayloadOf,
  webhookRequestHeaders,
  WebhookRetrySchedule,
  type WebhookDelivery,
  type WebhookDeliveryMessage,
  type WebhookRetryQueue,
} from '../domain/webhook-delivery.js';
import type { WebhookDeliveryRepository, WebhookRepository } from '../domain/webhook-repository.js';
import { withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';

/** One attempt's exchange: the whole of it (DNS, connection, answer) within this time. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** A receiver's answer is not used; a longer one is cut off and counts as a failure. */
export const WEBHOOK_MAX_RESPONSE_BYTES = 64 * 1024;
/**
 * How long an attempt in flight is its instance's: past this, the attempt is taken to have died with its instance and
 * a repeated message may make it again. Well above the exchange's time limit, so a live attempt is never doubled.
 */
export const WEBHOOK_ATTEMPT_LEASE_MS = 60_000;

export interface WebhookDeliveryDeps {
  readonly webhooks: WebhookRepository;
  readonly webhookDeliveries: WebhookDeliveryRepository;
  readonly webhookRetries: WebhookRetryQueue;
  readonly sealer: SecretSealer;
  readonly fetcher: GuardedFetcher;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The waits before each retry; the default is about an hour in all. */
  readonly retrySchedule?: WebhookRetrySchedule | undefined;
}

/** What handling one message did (for the trigger's log). */
export type WebhookDeliveryOutcome =
  /** No webhook configured for the project: nothing recorded. */
  | 'dropped'
  | 'skipped'
  | 'delivered'
  | 'retryScheduled'
  | 'failed'
  /** The message repeats an attempt already made or in hand, or its event is settled: nothing done. */
  | 'duplicate'
  /** Another instance holds the attempt; the message was queued again for after its lease. */
  | 'postponed';

interface AttemptResult {
  readonly ok: boolean;
  readonly status: number | undefined;
  readonly error: string | undefined;
}

const FINAL_STATUSES = new Set<WebhookDelivery['status']>(['delivered', 'failed', 'skipped']);

/**
 * Delivers the events of the `webhook-events` queue to their project's webhook: signed POSTs through the guarded
 * fetcher, retried with backoff by queueing the next attempt with a delay, until a 2xx answer or the last attempt.
 * Everything is at-least-once, so each event has one record (keyed by its id) and every step is a conditional write
 * of it: an attempt is claimed before it is made, a settled event is never sent again, and a repeated message for an
 * attempt made or in hand does nothing.
 */
export class WebhookDeliveryService {
  private readonly schedule: WebhookRetrySchedule;

  constructor(private readonly deps: WebhookDeliveryDeps) {
    this.schedule = deps.retrySchedule ?? new WebhookRetrySchedule();
  }

  async deliver(message: WebhookDeliveryMessage): Promise<WebhookDeliveryOutcome> {
    const attempt = message.attempt ?? 1;
    const [webhook, existing] = await Promise.all([
      this.deps.webhooks.get(message.projectId),
      this.deps.webhookDeliveries.get(message.projectId, message.id),
    ]);
    const usable = webhook !== undefined && webhook.orgId === message.orgId ? webhook : undefined;

    if (existing === undefined) {
      // No webhook at all: nothing to deliver and nothing worth a record (most projects have none).
      if (usable === undefined) return 'dropped';
      if (!webhookTakes(usable, message.type)) return this.recordSkipped(message, notTakenReason(usable));
    } else if (FINAL_STATUSES.has(existing.status)) {
      return 'duplicate';
    }

    const claim = await this.claim(message, attempt, existing);
    if (claim === 'duplicate' || claim === 'postponed') return claim;
    if (usable === undefined || !webhookTakes(usable, message.type)) {
      // Nothing was sent on this attempt: `attempts` keeps counting the requests that were made.
      await this.settle(claim, {
        status: 'skipped',
        attempts: existing?.attempts ?? 0,
        lastError: usable === undefined ? 'the webhook was deleted before the event was delivered' : notTakenReason(usable),
      });
      return 'skipped';
    }

    const result = await this.attempt(usable, message);
    if (result.ok) {
      await this.settle(claim, { status: 'delivered', lastStatus: result.status, lastError: undefined, deliveredAt: this.deps.clock.now().toISOString() });
      return 'delivered';
    }
    const delay = this.schedule.delayAfter(attempt);
    if (delay === undefined) {
      await this.settle(claim, { status: 'failed', lastStatus: result.status, lastError: result.error });
      return 'failed';
    }
    // The retry is queued before the record says so: a crash in between leaves a stale claim that the retry (or this
    // message, repeated) takes over, never an event that nothing will try again.
    await this.deps.webhookRetries.schedule({ ...message, attempt: attempt + 1 }, delay);
    await this.settle(claim, {
      status: 'pending',
      phase: 'waiting',
      lastStatus: result.status,
      lastError: result.error,
      nextAttemptAt: new Date(this.deps.clock.now().getTime() + delay * 1000).toISOString(),
    });
    return 'retryScheduled';
  }

  /**
   * A message the host gave up on (every try of it threw): its event is recorded as failed, unless it is settled or
   * a later attempt has it in hand.
   */
  async abandon(message: WebhookDeliveryMessage): Promise<boolean> {
    const attempt = message.attempt ?? 1;
    return withOptimisticRetry(async () => {
      const current = await this.deps.webhookDeliveries.get(message.projectId, message.id);
      // Settled, or carried on by a later attempt (one in hand, or a retry already queued): nothing to give up.
      if (current !== undefined && (FINAL_STATUSES.has(current.status) || current.attempts > attempt || (current.attempts === attempt && current.phase === 'waiting'))) {
        return false;
      }
      const now = this.deps.clock.now().toISOString();
      const lastError = 'the delivery could not be processed';
      if (current === undefined) {
        if ((await this.deps.webhooks.get(message.projectId)) === undefined) return false;
        await writeOrRetry(() =>
          this.deps.webhookDeliveries.create({ ...this.newRecord(message, attempt, now), status: 'failed', phase: undefined, lastError }).catch(conflictAsStale),
        );
        return true;
      }
      await writeOrRetry(() =>
        this.deps.webhookDeliveries.replace({ ...current, status: 'failed', phase: undefined, lastError, nextAttemptAt: undefined, updatedAt: now }),
      );
      return true;
    });
  }

  /**
   * Takes attempt `attempt` of the event for this instance, or answers why not: a repeat of an attempt made or in
   * hand is a duplicate; an attempt another instance is making now is postponed until its lease ends.
   */
  private async claim(
    message: WebhookDeliveryMessage,
    attempt: number,
    seen: WebhookDelivery | undefined,
  ): Promise<WebhookDelivery | 'duplicate' | 'postponed'> {
    let current = seen;
    for (let round = 0; round < 5; round += 1) {
      const now = this.deps.clock.now();
      if (current === undefined) {
        try {
          return await this.deps.webhookDeliveries.create(this.newRecord(message, attempt, now.toISOString()));
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
          current = await this.deps.webhookDeliveries.get(message.projectId, message.id);
          continue;
        }
      }
      if (FINAL_STATUSES.has(current.status)) return 'duplicate';
      const sending = current.phase === 'sending';
      const leaseEnds = Date.parse(current.attemptStartedAt ?? '') + WEBHOOK_ATTEMPT_LEASE_MS;
      const leaseHeld = sending && Number.isFinite(leaseEnds) && leaseEnds > now.getTime();
      if (current.attempts > attempt) return 'duplicate';
      if (current.attempts === attempt && !sending) return 'duplicate';
      if (leaseHeld) {
        await this.deps.webhookRetries.schedule(message, Math.ceil((leaseEnds - now.getTime()) / 1000) + 1);
        return 'postponed';
      }
      try {
        return await this.deps.webhookDeliveries.replace({
          ...current,
          phase: 'sending',
          attempts: attempt,
          attemptStartedAt: now.toISOString(),
          nextAttemptAt: undefined,
          updatedAt: now.toISOString(),
        });
      } catch (err) {
        if (!(err instanceof PreconditionFailedError)) throw err;
        current = await this.deps.webhookDeliveries.get(message.projectId, message.id);
      }
    }
    // Five lost races in a row: another instance is clearly on it.
    return 'duplicate';
  }

  /**
   * Writes the outcome of the attempt this instance claimed. Should another instance have taken the attempt over
   * meanwhile (this one outlived its lease), a success is still recorded, as the receiver has the event; a failure
   * is left to the attempt that is now in hand.
   */
  private async settle(claim: WebhookDelivery, change: Partial<WebhookDelivery>): Promise<void> {
    let current: WebhookDelivery | undefined = claim;
    for (let round = 0; round < 5 && current !== undefined; round += 1) {
      if (FINAL_STATUSES.has(current.status)) return;
      const ours = current.attempts === claim.attempts && current.attemptStartedAt === claim.attemptStartedAt;
      if (!ours && change.status !== 'delivered') return;
      const now = this.deps.clock.now().toISOString();
      const final = change.status !== 'pending';
      try {
        await this.deps.webhookDeliveries.replace({
          ...current,
          ...change,
          ...(final ? { phase: undefined, nextAttemptAt: undefined } : {}),
          updatedAt: now,
        });
        return;
      } catch (err) {
        if (!(err instanceof PreconditionFailedError)) throw err;
        current = await this.deps.webhookDeliveries.get(claim.projectId, claim.eventId);
      }
    }
    if (current !== undefined) {
      this.deps.logger.warn('a webhook delivery outcome could not be recorded', { eventId: claim.eventId, projectId: claim.projectId });
    }
  }

  private async recordSkipped(message: WebhookDeliveryMessage, reason: string): Promise<WebhookDeliveryOutcome> {
    const now = this.deps.clock.now().toISOString();
    try {
      await this.deps.webhookDeliveries.create({ ...this.newRecord(message, 0, now), status: 'skipped', phase: undefined, attemptStartedAt: undefined, lastError: reason });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      return 'duplicate';
    }
    return 'skipped';
  }

  private newRecord(message: WebhookDeliveryMessage, attempt: number, now: string): Omit<WebhookDelivery, 'etag'> {
    return {
      eventId: message.id,
      projectId: message.projectId,
      orgId: message.orgId,
      type: message.type,
      occurredAt: message.occurredAt,
      status: 'pending',
      phase: 'sending',
      attempts: attempt,
      attemptStartedAt: now,
      createdAt: now,
      updatedAt: now,
    };
  }

  /** One signed POST; every way it can go wrong becomes a failed result with a reason, never an exception. */
  private async attempt(webhook: Webhook, message: WebhookDeliveryMessage): Promise<AttemptResult> {
    const now = this.deps.clock.now();
    const secrets = [await this.deps.sealer.open(webhook.sealedSecret)];
    if (previousSecretValid(webhook, now) && webhook.sealedPreviousSecret !== undefined) {
      secrets.push(await this.deps.sealer.open(webhook.sealedPreviousSecret));
    }
    const body = webhookPayloadOf(message);
    try {
      const response = await this.deps.fetcher.fetch(webhook.url, {
        method: 'POST',
        headers: webhookRequestHeaders(message.id, body, secrets, now),
        body,
        timeoutMs: WEBHOOK_TIMEOUT_MS,
        maxBytes: WEBHOOK_MAX_RESPONSE_BYTES,
      });
      if (response.finalUrl !== new URL(webhook.url).href) {
        // A redirected POST may arrive as a GET without the body or the signature: it is not a delivery.
        return { ok: false, status: response.status, error: 'the endpoint redirected; webhooks do not follow redirects, configure the final URL' };
      }
      if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status, error: undefined };
      return { ok: false, status: response.status, error: `the endpoint answered ${response.status}` };
    } catch (err) {
      return { ok: false, status: undefined, error: failureReasonOf(err) };
    }
  }
}

function notTakenReason(webhook: Webhook): string {
  return webhook.enabled ? 'the webhook does not take this event type' : 'the webhook is disabled';
}

/** Someone recorded the event meanwhile: read it again (withOptimisticRetry). */
function conflictAsStale(err: unknown): never {
  if (err instanceof ConflictError) throw new PreconditionFailedError();
  throw err;
}

/** The customer-facing reason of a failed exchange; never a low-level message. */
function failureReasonOf(err: unknown): string {
  if (err instanceof UrlNotAllowedError) return `the URL is not allowed: ${err.reason}`;
  if (err instanceof UrlFetchTimedOutError) return `the endpoint did not answer within ${err.timeoutMs / 1000} s`;
  if (err instanceof RemoteFileTooLargeError) return `the endpoint's answer was larger than ${err.limitBytes} bytes`;
  if (err instanceof UrlUnreachableError) return `the endpoint could not be reached: ${err.reason}`;
  return 'the endpoint could not be reached';
}

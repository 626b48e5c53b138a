import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { FieldProblem } from './errors.js';
import type { SealedSecret } from './secret-sealer.js';
import { webhookEventTypeSchema, type WebhookEventType } from './webhook-event.js';

/**
 * A project's webhook (API.md, Management: webhooks): one endpoint per project that receives the project's events,
 * signed with a secret the platform generates. The secret is sealed at rest and shown once, when it is made; after a
 * rotation the previous one keeps signing (beside the new one) for a while, so receivers can switch without a gap.
 */
export interface Webhook {
  readonly projectId: string;
  readonly orgId: string;
  readonly url: string;
  readonly events: readonly WebhookEventType[];
  readonly enabled: boolean;
  readonly sealedSecret: SealedSecret;
  readonly secretCreatedAt: string;
  /** The secret before the last rotation, signing beside the current one until `previousSecretExpiresAt`. */
  readonly sealedPreviousSecret?: SealedSecret | undefined;
  readonly previousSecretExpiresAt?: string | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly etag: string;
}

export type NewWebhook = Omit<Webhook, 'etag'>;

/** Every event type a webhook can take; a webhook configured without `events` takes all of them. */
export const ALL_WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = webhookEventTypeSchema.options;

/** The prefix makes a leaked secret recognisable to secret scanners and people alike. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** How long the secret before a rotation stays valid (deliveries carry both signatures meanwhile). */
export const PREVIOUS_SECRET_VALIDITY_MS = 24 * 60 * 60 * 1000;

export const MAX_WEBHOOK_URL_LENGTH = 2048;

export const webhookUrlSchema = z
  .string()
  .max(MAX_WEBHOOK_URL_LENGTH)
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an absolute https:// URL' }))
  .describe('a publicly reachable https:// URL that takes POST requests');

export const webhookEventsSchema = z
  .array(webhookEventTypeSchema)
  .min(1)
  .max(ALL_WEBHOOK_EVENT_TYPES.length)
  .refine((events) => new Set(events).size === events.length, { message: 'must not repeat an event type' });

export interface WebhookInput {
  readonly url: string;
  readonly events?: readonly WebhookEventType[] | undefined;
  readonly enabled?: boolean | undefined;
}

/** A new signing secret: `whsec_` and 32 random bytes, base64url. */
export function newWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * What is wrong with a webhook URL on its face, or nothing. Where it points (plain http, loopback, private and
 * metadata addresses) is the guarded fetcher's address check to judge, which answers UrlNotAllowed; the local-only
 * `allowPrivateUrls` setting matters only there.
 */
export function webhookUrlProblems(url: string): FieldProblem[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [{ path: 'url', message: 'must be an absolute https:// URL' }];
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return [{ path: 'url', message: 'must be an absolute https:// URL' }];
  if (parsed.username !== '' || parsed.password !== '') return [{ path: 'url', message: 'must not contain credentials' }];
  if (parsed.hash !== '') return [{ path: 'url', message: 'must not contain a fragment' }];
  return [];
}

/** Whether the webhook takes events of this type now. */
export function webhookTakes(webhook: Webhook, type: WebhookEventType): boolean {
  return webhook.enabled && webhook.events.includes(type);
}

/** The previous secret still signs until its expiry. */
export function previousSecretValid(webhook: Webhook, now: Date): boolean {
  return (
    webhook.sealedPreviousSecret !== undefined &&
    webhook.previousSecretExpiresAt !== undefined &&
    Date.parse(webhook.previousSecretExpiresAt) > now.getTime()
  );
}

/** What admins see of a webhook: never a secret. */
export interface WebhookView {
  readonly projectId: string;
  readonly url: string;
  readonly events: WebhookEventType[];
  readonly enabled: boolean;
  readonly secretCreatedAt: string;
  /** Present while the secret before the last rotation still signs. */
  readonly previousSecretExpiresAt: string | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly etag: string;
}

export function webhookViewOf(webhook: Webhook, now: Date): WebhookView {
  return {
    projectId: webhook.projectId,
    url: webhook.url,
    events: [...webhook.events],
    enabled: webhook.enabled,
    secretCreatedAt: webhook.secretCreatedAt,
    previousSecretExpiresAt: previousSecretValid(webhook, now) ? webhook.previousSecretExpiresAt : undefined,
    createdAt: webhook.createdAt,
    updatedAt: webhook.updatedAt,
    etag: webhook.etag,
  };
}

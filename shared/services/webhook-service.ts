import type { Clock } from '../domain/clock.js';
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from '../domain/errors.js';
import type { ManagePrincipal } from '../domain/identity.js';
import { UrlNotAllowedError, type GuardedFetcher } from '../domain/outbound.js';
import { mapPage, type Page, type PageRequest } from '../domain/page.js';
import type { SecretSealer } from '../domain/secret-sealer.js';
import {
  ALL_WEBHOOK_EVENT_TYPES,
  newWebhookSecret,
  PREVIOUS_SECRET_VALIDITY_MS,
  webhookUrlProblems,
  webhookViewOf,
  type Webhook,
  type WebhookInput,
  type WebhookView,
} from '../domain/webhook.js';
import type { WebhookDelivery, WebhookDeliveryStatus } from '../domain/webhook-delivery.js';
import type { WebhookDeliveryRepository, WebhookRepository } from '../domain/webhook-repository.js';
import type { WebhookEventType } from '../domain/webhook-event.js';
import { checkIfMatch, withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';
import type { OrganizationAccess } from './organization-access.js';

/** How long the address check of a new URL may take; a slow name server must not hold the request. */
const URL_CHECK_BUDGET_MS = 5_000;

export interface WebhookServiceDeps {
  readonly access: OrganizationAccess;
  readonly webhooks: WebhookRepository;
  readonly webhookDeliveries: WebhookDeliveryRepository;
  readonly sealer: SecretSealer;
  readonly fetcher: GuardedFetcher;
  readonly clock: Clock;
}

/** The answer to a PUT: whether it made the webhook, and then its secret (shown this once). */
export interface SavedWebhook {
  readonly webhook: WebhookView;
  readonly created: boolean;
  readonly secret: string | undefined;
}

export interface WebhookDeliveryView {
  readonly id: string;
  readonly type: WebhookEventType;
  readonly status: WebhookDeliveryStatus;
  readonly attempts: number;
  readonly lastStatus: number | undefined;
  readonly lastError: string | undefined;
  readonly occurredAt: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly nextAttemptAt: string | undefined;
  readonly deliveredAt: string | undefined;
}

export function webhookDeliveryViewOf(delivery: WebhookDelivery): WebhookDeliveryView {
  return {
    id: delivery.eventId,
    type: delivery.type,
    status: delivery.status,
    attempts: delivery.attempts,
    lastStatus: delivery.lastStatus,
    lastError: delivery.lastError,
    occurredAt: delivery.occurredAt,
    createdAt: delivery.createdAt,
    updatedAt: delivery.updatedAt,
    nextAttemptAt: delivery.status === 'pending' ? delivery.nextAttemptAt : undefined,
    deliveredAt: delivery.deliveredAt,
  };
}

/** A project's webhook, configured by the organization's admins, and the record of its deliveries. */
export class WebhookService {
  constructor(private readonly deps: WebhookServiceDeps) {}

  async get(principal: ManagePrincipal, projectId: string): Promise<WebhookView> {
    await this.deps.access.requireProjectAdmin(principal, projectId);
    return webhookViewOf(await this.webhookOf(projectId), this.deps.clock.now());
  }

  /**
   * Creates or replaces the project's webhook. The first PUT makes the signing secret and returns it; later PUTs keep
   * it (rotate it with `rotateSecret`). Left out, `events` means every type and `enabled` means true.
   */
  async put(principal: ManagePrincipal, projectId: string, input: WebhookInput, ifMatch: string | undefined): Promise<SavedWebhook> {
    const { project } = await this.deps.access.requireProjectAdmin(principal, projectId);
    const problems = webhookUrlProblems(input.url);
    if (problems.length > 0) throw new ValidationError(problems);
    await this.checkAddress(input.url);
    const events = input.events === undefined ? [...ALL_WEBHOOK_EVENT_TYPES] : ALL_WEBHOOK_EVENT_TYPES.filter((t) => input.events?.includes(t));
    const enabled = input.enabled ?? true;
    // Made before the loop so that a retried write does not seal again; used only if this PUT creates the webhook.
    let fresh: { secret: string; sealed: Webhook['sealedSecret'] } | undefined;

    return withOptimisticRetry(async () => {
      const current = await this.deps.webhooks.get(projectId);
      const now = this.deps.clock.now().toISOString();
      if (current !== undefined) {
        checkIfMatch(ifMatch, current.etag);
        const saved = await writeOrRetry(() =>
          this.deps.webhooks.replace({ ...current, url: input.url, events, enabled, updatedAt: now }),
        );
        return { webhook: webhookViewOf(saved, this.deps.clock.now()), created: false, secret: undefined };
      }
      // If-Match names a version; there is none yet (RFC 9110: If-Match fails on a missing resource).
      if (ifMatch !== undefined) throw new PreconditionFailedError();
      if (fresh === undefined) {
        const secret = newWebhookSecret();
        fresh = { secret, sealed: await this.deps.sealer.seal(secret) };
      }
      const { sealed, secret } = fresh;
      const saved = await writeOrRetry(() =>
        this.deps.webhooks
          .create({
            projectId,
            orgId: project.orgId,
            url: input.url,
            events,
            enabled,
            sealedSecret: sealed,
            secretCreatedAt: now,
            createdAt: now,
            updatedAt: now,
          })
          .catch((err: unknown) => {
            // Another PUT made it first: read it again and replace it instead.
            if (err instanceof ConflictError) throw new PreconditionFailedError();
            throw err;
          }),
      );
      return { webhook: webhookViewOf(saved, this.deps.clock.now()), created: true, secret };
    });
  }

  /**
   * Makes a new signing secret and returns it, this once. The one it replaces keeps signing beside it for 24 hours
   * (deliveries carry both signatures), so receivers can switch without missing an event; a secret older than that
   * is dropped.
   */
  async rotateSecret(principal: ManagePrincipal, projectId: string, ifMatch: string | undefined): Promise<{ webhook: WebhookView; secret: string }> {
    await this.deps.access.requireProjectAdmin(principal, projectId);
    const secret = newWebhookSecret();
    const sealed = await this.deps.sealer.seal(secret);
    const saved = await withOptimisticRetry(async () => {
      const current = await this.webhookOf(projectId);
      checkIfMatch(ifMatch, current.etag);
      const now = this.deps.clock.now();
      return writeOrRetry(() =>
        this.deps.webhooks.replace({
          ...current,
          sealedSecret: sealed,
          secretCreatedAt: now.toISOString(),
          sealedPreviousSecret: current.sealedSecret,
          previousSecretExpiresAt: new Date(now.getTime() + PREVIOUS_SECRET_VALIDITY_MS).toISOString(),
          updatedAt: now.toISOString(),
        }),
      );
    });
    return { webhook: webhookViewOf(saved, this.deps.clock.now()), secret };
  }

  /** Removes the webhook; events from then on are not delivered, and pending retries are skipped. */
  async delete(principal: ManagePrincipal, projectId: string, ifMatch: string | undefined): Promise<void> {
    await this.deps.access.requireProjectAdmin(principal, projectId);
    const current = await this.webhookOf(projectId);
    checkIfMatch(ifMatch, current.etag);
    await this.deps.webhooks.delete(projectId, ifMatch === undefined ? undefined : current.etag);
  }

  async listDeliveries(principal: ManagePrincipal, projectId: string, page: PageRequest): Promise<Page<WebhookDeliveryView>> {
    await this.deps.access.requireProjectAdmin(principal, projectId);
    return mapPage(await this.deps.webhookDeliveries.list(projectId, page), webhookDeliveryViewOf);
  }

  private async webhookOf(projectId: string): Promise<Webhook> {
    const webhook = await this.deps.webhooks.get(projectId);
    if (webhook === undefined) throw new NotFoundError('Webhook');
    return webhook;
  }

  /**
   * Refuses, with UrlNotAllowed, a URL that is plain http (unless the local setting allows loopback) or whose host is
   * or resolves to a loopback, private, link-local or metadata address. Other trouble (a name that does not resolve
   * yet) is for the deliveries to report.
   */
  private async checkAddress(url: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, URL_CHECK_BUDGET_MS);
    });
    try {
      await Promise.race([this.deps.fetcher.checkUrl(url), budget]);
    } catch (err) {
      if (err instanceof UrlNotAllowedError) throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}

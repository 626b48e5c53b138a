import type { Page, PageRequest } from './page.js';
import type { NewWebhook, Webhook } from './webhook.js';
import type { NewWebhookDelivery, WebhookDelivery } from './webhook-delivery.js';

/** The webhook of each project (at most one); every operation names the project, which is the partition. */
export interface WebhookRepository {
  get(projectId: string): Promise<Webhook | undefined>;
  /** Create-only: rejects with ConflictError when the project has a webhook already. */
  create(webhook: NewWebhook): Promise<Webhook>;
  /** Replaces when the stored ETag is still `webhook.etag`, else rejects with PreconditionFailedError. */
  replace(webhook: Webhook): Promise<Webhook>;
  /** Deletes when the stored ETag matches (when given); deleting what is already gone succeeds. */
  delete(projectId: string, expectedEtag?: string): Promise<void>;
}

/** Delivery records of a project's events, one per event id. */
export interface WebhookDeliveryRepository {
  get(projectId: string, eventId: string): Promise<WebhookDelivery | undefined>;
  /** Create-only: rejects with ConflictError when the event has a record already. */
  create(delivery: NewWebhookDelivery): Promise<WebhookDelivery>;
  /** Replaces when the stored ETag is still `delivery.etag`, else rejects with PreconditionFailedError. */
  replace(delivery: WebhookDelivery): Promise<WebhookDelivery>;
  /** Newest first (by when the record was made). */
  list(projectId: string, page: PageRequest): Promise<Page<WebhookDelivery>>;
}

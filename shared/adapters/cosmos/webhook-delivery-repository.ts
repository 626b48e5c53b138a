import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ConflictError } from '../../domain/errors.js';
import type { Page, PageRequest } from '../../domain/page.js';
import {
  webhookDeliveryPhaseSchema,
  webhookDeliveryStatusSchema,
  type NewWebhookDelivery,
  type WebhookDelivery,
} from '../../domain/webhook-delivery.js';
import { webhookEventTypeSchema } from '../../domain/webhook-event.js';
import type { WebhookDeliveryRepository } from '../../domain/webhook-repository.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';
import { listPageNewestFirst } from './top-n-paging.js';

const CONTAINER = 'webhook-deliveries';

/**
 * The document id of an event's record: the event id itself (event ids are `evt_<base64url>`), or, for an id with
 * characters Cosmos DB does not take in ids (`/ \ ? #`), its SHA-256. Either way one id per event.
 */
export function deliveryDocumentIdOf(eventId: string): string {
  return /^[A-Za-z0-9_.:-]{1,200}$/.test(eventId) ? eventId : `sha256_${createHash('sha256').update(eventId).digest('hex')}`;
}

const deliveryDocument = z.object({
  id: z.string(),
  eventId: z.string(),
  projectId: z.string(),
  orgId: z.string(),
  type: webhookEventTypeSchema,
  occurredAt: z.string(),
  status: webhookDeliveryStatusSchema,
  phase: webhookDeliveryPhaseSchema.optional(),
  attempts: z.number().int().min(0),
  attemptStartedAt: z.string().optional(),
  lastStatus: z.number().int().optional(),
  lastError: z.string().optional(),
  nextAttemptAt: z.string().optional(),
  deliveredAt: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  _etag: z.string(),
});

function toDelivery(document: unknown): WebhookDelivery {
  const { _etag, id: _id, ...d } = parseDocument(deliveryDocument, document, CONTAINER);
  return { ...d, etag: _etag };
}

function toDocument(delivery: NewWebhookDelivery) {
  return {
    id: deliveryDocumentIdOf(delivery.eventId),
    eventId: delivery.eventId,
    projectId: delivery.projectId,
    orgId: delivery.orgId,
    type: delivery.type,
    occurredAt: delivery.occurredAt,
    status: delivery.status,
    phase: delivery.phase,
    attempts: delivery.attempts,
    attemptStartedAt: delivery.attemptStartedAt,
    lastStatus: delivery.lastStatus,
    lastError: delivery.lastError,
    nextAttemptAt: delivery.nextAttemptAt,
    deliveredAt: delivery.deliveredAt,
    createdAt: delivery.createdAt,
    updatedAt: delivery.updatedAt,
  };
}

/** One record per webhook event, in the project's partition. */
export class CosmosWebhookDeliveryRepository implements WebhookDeliveryRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(projectId: string, eventId: string): Promise<WebhookDelivery | undefined> {
    const document = await this.container.read(deliveryDocumentIdOf(eventId), projectId);
    if (document === undefined || document.projectId !== projectId || document.eventId !== eventId) return undefined;
    return toDelivery(document);
  }

  async create(delivery: NewWebhookDelivery): Promise<WebhookDelivery> {
    try {
      return toDelivery(await this.container.create(toDocument(delivery)));
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError('The event has a delivery record already.');
      throw err;
    }
  }

  async replace(delivery: WebhookDelivery): Promise<WebhookDelivery> {
    return toDelivery(
      await this.container.replace(deliveryDocumentIdOf(delivery.eventId), delivery.projectId, toDocument(delivery), delivery.etag),
    );
  }

  async list(projectId: string, page: PageRequest): Promise<Page<WebhookDelivery>> {
    return listPageNewestFirst(
      this.container,
      { where: 'c.projectId = @projectId', parameters: [{ name: '@projectId', value: projectId }], partitionKey: projectId, orderBy: 'createdAt', page },
      toDelivery,
    );
  }
}

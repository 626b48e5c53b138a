import { z } from 'zod';
import { ConflictError } from '../../domain/errors.js';
import { sealedSecretSchema } from '../../domain/secret-sealer.js';
import type { NewWebhook, Webhook } from '../../domain/webhook.js';
import { webhookEventTypeSchema } from '../../domain/webhook-event.js';
import type { WebhookRepository } from '../../domain/webhook-repository.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';

const CONTAINER = 'webhooks';
/** A project has at most one webhook: its document has this id in the project's partition. */
const WEBHOOK_DOCUMENT_ID = 'webhook';

const webhookDocument = z.object({
  id: z.literal(WEBHOOK_DOCUMENT_ID),
  type: z.literal('webhook'),
  projectId: z.string(),
  orgId: z.string(),
  url: z.string(),
  events: z.array(webhookEventTypeSchema),
  enabled: z.boolean(),
  sealedSecret: sealedSecretSchema,
  secretCreatedAt: z.string(),
  sealedPreviousSecret: sealedSecretSchema.optional(),
  previousSecretExpiresAt: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  _etag: z.string(),
});

function toWebhook(document: unknown): Webhook {
  const { _etag, id: _id, type: _type, ...d } = parseDocument(webhookDocument, document, CONTAINER);
  return { ...d, etag: _etag };
}

function toDocument(webhook: NewWebhook) {
  return {
    id: WEBHOOK_DOCUMENT_ID,
    type: 'webhook',
    projectId: webhook.projectId,
    orgId: webhook.orgId,
    url: webhook.url,
    events: [...webhook.events],
    enabled: webhook.enabled,
    sealedSecret: webhook.sealedSecret,
    secretCreatedAt: webhook.secretCreatedAt,
    sealedPreviousSecret: webhook.sealedPreviousSecret,
    previousSecretExpiresAt: webhook.previousSecretExpiresAt,
    createdAt: webhook.createdAt,
    updatedAt: webhook.updatedAt,
  };
}

/** Project webhooks, one document per project in the project's partition (secrets sealed). */
export class CosmosWebhookRepository implements WebhookRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(projectId: string): Promise<Webhook | undefined> {
    const document = await this.container.read(WEBHOOK_DOCUMENT_ID, projectId);
    // The point read names the partition; the check keeps isolation independent of the server honouring it.
    if (document === undefined || document.projectId !== projectId) return undefined;
    return toWebhook(document);
  }

  async create(webhook: NewWebhook): Promise<Webhook> {
    try {
      return toWebhook(await this.container.create(toDocument(webhook)));
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError('The project has a webhook already.');
      throw err;
    }
  }

  async replace(webhook: Webhook): Promise<Webhook> {
    return toWebhook(await this.container.replace(WEBHOOK_DOCUMENT_ID, webhook.projectId, toDocument(webhook), webhook.etag));
  }

  async delete(projectId: string, expectedEtag?: string): Promise<void> {
    await this.container.delete(WEBHOOK_DOCUMENT_ID, projectId, expectedEtag);
  }
}

import { pageOfArray, type Page, type PageRequest } from '../../../shared/domain/page.js';
import type { NewWebhook, Webhook } from '../../../shared/domain/webhook.js';
import type { NewWebhookDelivery, WebhookDelivery, WebhookDeliveryMessage, WebhookRetryQueue } from '../../../shared/domain/webhook-delivery.js';
import type { WebhookDeliveryRepository, WebhookRepository } from '../../../shared/domain/webhook-repository.js';
import { Table } from './in-memory-ports.js';

export class InMemoryWebhookRepository implements WebhookRepository {
  readonly table = new Table<Webhook>();
  async get(projectId: string) {
    return this.table.get(projectId);
  }
  async create(webhook: NewWebhook) {
    return this.table.create(webhook.projectId, webhook);
  }
  async replace(webhook: Webhook) {
    return this.table.replace(webhook.projectId, webhook);
  }
  async delete(projectId: string, expectedEtag?: string) {
    this.table.delete(projectId, expectedEtag);
  }
}

export class InMemoryWebhookDeliveryRepository implements WebhookDeliveryRepository {
  readonly table = new Table<WebhookDelivery>();
  /** Runs once before the next replace: lets a test make another instance win the race. */
  beforeNextReplace: (() => void) | undefined;

  private keyOf(projectId: string, eventId: string) {
    return `${projectId}|${eventId}`;
  }
  async get(projectId: string, eventId: string) {
    return this.table.get(this.keyOf(projectId, eventId));
  }
  async create(delivery: NewWebhookDelivery) {
    return this.table.create(this.keyOf(delivery.projectId, delivery.eventId), delivery);
  }
  async replace(delivery: WebhookDelivery) {
    const hook = this.beforeNextReplace;
    this.beforeNextReplace = undefined;
    hook?.();
    return this.table.replace(this.keyOf(delivery.projectId, delivery.eventId), delivery);
  }
  async list(projectId: string, page: PageRequest): Promise<Page<WebhookDelivery>> {
    const rows = this.table
      .values()
      .filter((d) => d.projectId === projectId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return pageOfArray(rows, page);
  }
}

/** Records the retries a delivery queued, with their delays, instead of queueing them. */
export class RecordingWebhookRetryQueue implements WebhookRetryQueue {
  readonly scheduled: { message: WebhookDeliveryMessage; delaySeconds: number }[] = [];
  async schedule(message: WebhookDeliveryMessage, delaySeconds: number): Promise<void> {
    this.scheduled.push({ message: structuredClone(message), delaySeconds });
  }
  /** Takes the retries queued so far, oldest first. */
  take(): { message: WebhookDeliveryMessage; delaySeconds: number }[] {
    return this.scheduled.splice(0, this.scheduled.length);
  }
}

/**
 * Every storage queue the app writes to or triggers on, with why it exists: the list the local start-up, the tests
 * and the deployment templates read. Later capabilities add theirs here.
 */
export interface QueueDefinition {
  readonly name: string;
  readonly purpose: string;
}

export const WEBHOOK_EVENTS_QUEUE = 'webhook-events';

export const STORAGE_QUEUES = [
  {
    name: WEBHOOK_EVENTS_QUEUE,
    purpose: 'Events for project webhooks (companion.created/updated/deleted, ...), one JSON message per event, awaiting delivery.',
  },
] as const satisfies readonly QueueDefinition[];

import type { QueueClient } from '@azure/storage-queue';
import { statusCodeOf } from './azure-errors.js';

/** The storage service's limit on one message, counted after base64 encoding. */
export const MAX_QUEUE_MESSAGE_BYTES = 64 * 1024;

/**
 * Sends a JSON message base64-encoded, as host.json's `messageEncoding: base64` has the queue triggers read it. The
 * queue is created on first need (locally and in a fresh account; in Azure the deployment creates it), which costs
 * nothing while it exists.
 */
export async function sendJsonMessage(
  queue: QueueClient,
  payload: unknown,
  options: { readonly visibilityTimeoutSeconds?: number } = {},
): Promise<void> {
  const message = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64');
  if (message.length > MAX_QUEUE_MESSAGE_BYTES) {
    throw new Error(`a message for queue ${queue.name} is larger than a queue message may be`);
  }
  const send = () =>
    queue.sendMessage(message, options.visibilityTimeoutSeconds === undefined ? {} : { visibilityTimeout: options.visibilityTimeoutSeconds });
  try {
    await send();
  } catch (err) {
    if (statusCodeOf(err) !== 404) throw err;
    await queue.createIfNotExists();
    await send();
  }
}

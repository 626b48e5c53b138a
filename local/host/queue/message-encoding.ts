import type { QueueMessageEncoding } from '../host-json.js';

export class MessageDecodingError extends Error {
  override readonly name = 'MessageDecodingError';
}

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The message text as the function sees it. Node's base64 decoder skips garbage, so check strictly first. */
export function decodeQueueMessage(text: string, encoding: QueueMessageEncoding): string {
  if (encoding === 'none') {
    return text;
  }
  const compact = text.replace(/\s+/g, '');
  if (!base64Pattern.test(compact)) {
    throw new MessageDecodingError('The message is not valid base64, but host.json says messageEncoding is base64.');
  }
  return Buffer.from(compact, 'base64').toString('utf8');
}

export function encodeQueueMessage(text: string, encoding: QueueMessageEncoding): string {
  return encoding === 'none' ? text : Buffer.from(text, 'utf8').toString('base64');
}

import type { HttpRequest } from '@azure/functions';
import { MalformedJsonError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../domain/errors.js';

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

/** `application/json` or any `application/*+json`, with parameters such as charset allowed. */
export function isJsonContentType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const mediaType = contentType.split(';')[0]?.trim() ?? '';
  return JSON_MEDIA_TYPE.test(mediaType);
}

/**
 * Reads a JSON request body within `maxBytes`: refuses at once when Content-Length says it is too large, and also
 * counts while streaming (a chunked body has no Content-Length). An empty body reads as `undefined`, which the
 * route's schema then reports as missing.
 */
export async function readJsonBody(request: HttpRequest, maxBytes: number): Promise<unknown> {
  const declaredLength = request.headers.get('content-length');
  if (declaredLength !== null && Number(declaredLength) > maxBytes) throw new PayloadTooLargeError(maxBytes);

  const contentType = request.headers.get('content-type');
  if (contentType !== null && !isJsonContentType(contentType)) throw new UnsupportedMediaTypeError('application/json');
  const bytes = await readAtMost(request, maxBytes);
  if (bytes.length === 0) return undefined;
  if (contentType === null) throw new UnsupportedMediaTypeError('application/json');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new MalformedJsonError('The request body is not valid UTF-8.');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MalformedJsonError();
  }
}

/** The raw body within `maxBytes` (counted while streaming): for bodies that must be seen byte for byte, e.g. signed ones. */
export async function readAtMost(request: HttpRequest, maxBytes: number): Promise<Uint8Array> {
  const stream = request.body;
  if (stream === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
      if (done) break;
      if (value === undefined) continue;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new PayloadTooLargeError(maxBytes);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks, total);
}

import type { IncomingMessage } from 'node:http';

/** The Functions host refuses request bodies over 100 MB (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT). */
export const defaultMaxRequestBodyBytes = 104_857_600;

export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
}

export function declaredLengthExceeds(req: IncomingMessage, maxBytes: number): boolean {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) && declared > maxBytes;
}

export async function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  if (declaredLengthExceeds(req, maxBytes)) {
    throw new PayloadTooLargeError(`The request body is larger than ${maxBytes} bytes.`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    total += buffer.length;
    if (total > maxBytes) {
      throw new PayloadTooLargeError(`The request body is larger than ${maxBytes} bytes.`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

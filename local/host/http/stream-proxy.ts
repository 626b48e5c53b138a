import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { isHopByHopHeader } from './hop-by-hop.js';

/** The header by which the library's proxy server ties a forwarded request to its invocation. */
export const invocationIdHeader = 'x-ms-invocation-id';

export interface ProxyExchange {
  /** The library's response, as soon as its status and headers arrive. */
  readonly response: Promise<IncomingMessage>;
  abort(): void;
}

/**
 * Forwards the client's request, body still streaming, to the HTTP server the library opened for
 * `enableHttpStream` (its `HttpUri` capability), as the Functions host does. The library pairs it with
 * the invocation by `x-ms-invocation-id` and rebuilds the URL from the x-forwarded headers.
 */
export function forwardToWorker(
  workerUri: URL,
  req: IncomingMessage,
  invocationId: string,
  forwardedHost: string,
  agent: http.Agent,
): ProxyExchange {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !isHopByHopHeader(name) && name !== 'host') headers[name] = value;
  }
  headers[invocationIdHeader] = invocationId;
  headers['x-forwarded-host'] = forwardedHost;
  headers['x-forwarded-proto'] = 'http';

  const proxyReq = http.request(workerUri, {
    method: req.method,
    path: req.url ?? '/',
    headers,
    agent,
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    proxyReq.once('response', resolve);
    proxyReq.once('error', reject);
  });
  // A worker that answered without reading the whole body (a 413, a 401) leaves that body unread behind its web
  // stream, so the upload would stall until a keep-alive timeout cut the client's connection: once the answer is
  // complete, end the forwarded request, and the client's remaining body is drained below.
  void response.then(
    (proxied) => proxied.once('end', () => {
      if (!req.complete) proxyReq.destroy();
    }),
    () => undefined,
  );
  // The caller decides what a failed exchange means; this keeps an unobserved rejection from crashing.
  response.catch(() => undefined);
  req.pipe(proxyReq);
  req.once('error', (error) => proxyReq.destroy(error));
  // The worker may answer (a 413, a 401) before the client has sent its whole body. Once the forwarded request is
  // over, keep reading the client's body and drop it: a paused upload would stall the client until a timeout cut
  // the connection, and it would never see the answer.
  proxyReq.once('close', () => {
    req.unpipe(proxyReq);
    if (!req.complete) req.resume();
  });
  return {
    response,
    abort: () => proxyReq.destroy(),
  };
}

/** Relays the library's response to the client chunk by chunk, so server-sent events stay live. */
export async function relayResponse(from: IncomingMessage, to: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(from.headers)) {
    if (value !== undefined && !isHopByHopHeader(name) && name !== invocationIdHeader) headers[name] = value;
  }
  to.writeHead(from.statusCode ?? 200, headers);
  to.flushHeaders();
  await pipeline(from, to);
}

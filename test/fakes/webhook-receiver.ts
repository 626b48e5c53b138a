import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIGNATURE_HEADER, SIGNATURE_TIMESTAMP_HEADER, verifyRequestSignature } from '../../shared/domain/request-signature.js';

/**
 * A customer's webhook endpoint on loopback, as a customer should write one: it verifies X-Webhook-Signature over the
 * raw body with the secret it holds (401 when it does not verify), remembers the X-Webhook-Id values it accepted so a
 * redelivery is acknowledged without being processed again, and otherwise answers what the test scripted.
 */

export interface ReceivedWebhook {
  readonly path: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly signatureValid: boolean;
  /** What the receiver answered. */
  readonly status: number;
  /** A valid, 2xx request whose X-Webhook-Id the receiver had not accepted before. */
  readonly firstAcceptance: boolean;
}

export interface FakeWebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The secret the receiver verifies with (undefined: it verifies nothing and refuses every request). */
  setSecret(secret: string | undefined): void;
  /**
   * The statuses of the next answers to correctly signed requests, in order; once used up, `fallback` (200 unless
   * set). E.g. `script([500, 500])` fails twice, then accepts.
   */
  script(statuses: readonly number[], fallback?: number): void;
  requests(): readonly ReceivedWebhook[];
  /** The events processed: bodies of first acceptances, parsed. */
  accepted(): readonly Record<string, unknown>[];
  /** Resolves once `count` requests have come in (or rejects after `timeoutMs`). */
  waitForRequests(count: number, timeoutMs?: number): Promise<readonly ReceivedWebhook[]>;
  close(): Promise<void>;
}

function headersOf(request: http.IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export async function startFakeWebhookReceiver(initialSecret?: string): Promise<FakeWebhookReceiver> {
  let secret = initialSecret;
  let scripted: number[] = [];
  let fallback = 200;
  const recorded: ReceivedWebhook[] = [];
  const seenIds = new Set<string>();
  const waiters: { count: number; resolve: () => void }[] = [];

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = headersOf(request);
      const signatureValid =
        secret !== undefined &&
        verifyRequestSignature(
          secret,
          { timestamp: headers[SIGNATURE_TIMESTAMP_HEADER.toLowerCase()], signature: headers[SIGNATURE_HEADER.toLowerCase()] },
          body,
          new Date(),
        );
      const status = signatureValid ? (scripted.shift() ?? fallback) : 401;
      const eventId = headers['x-webhook-id'];
      const firstAcceptance = signatureValid && status >= 200 && status < 300 && eventId !== undefined && !seenIds.has(eventId);
      if (firstAcceptance) seenIds.add(eventId);
      recorded.push({
        path: new URL(request.url ?? '/', 'http://receiver').pathname,
        method: request.method ?? '',
        headers,
        body,
        signatureValid,
        status,
        firstAcceptance,
      });
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ received: status < 300 }));
      for (const waiter of [...waiters]) {
        if (recorded.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    setSecret(next) {
      secret = next;
    },
    script(statuses, otherwise = 200) {
      scripted = [...statuses];
      fallback = otherwise;
    },
    requests: () => [...recorded],
    accepted: () => recorded.filter((r) => r.firstAcceptance).map((r) => JSON.parse(r.body) as Record<string, unknown>),
    waitForRequests(count, timeoutMs = 20_000) {
      if (recorded.length >= count) return Promise.resolve([...recorded]);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the receiver got ${recorded.length} of ${count} requests`)), timeoutMs);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve([...recorded]);
          },
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

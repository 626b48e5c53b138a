import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { SIGNATURE_HEADER, SIGNATURE_TIMESTAMP_HEADER, verifyRequestSignature } from '../../shared/domain/request-signature.js';

/**
 * A customer's tool endpoint, as an explicit function calls it: HTTP POST with a JSON body, or one message over a
 * WebSocket. Every request's X-Webhook-Signature is verified with the secret registered for its path, the way a
 * customer's endpoint should; a request with a bad signature gets 401 (HTTP) or close code 4401 (WebSocket).
 */

export interface ToolRequest {
  readonly transport: 'http' | 'ws';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly signatureValid: boolean;
}

/** What a path answers: a status and JSON, or nothing at all (a hanging tool). */
export type ToolBehaviour =
  | { readonly kind: 'json'; readonly status?: number; readonly body: (request: { arguments: unknown; name: string }) => unknown }
  | { readonly kind: 'hang' };

export interface FakeToolServer {
  /** `http://127.0.0.1:<port>` */
  readonly httpUrl: string;
  /** `ws://127.0.0.1:<port>` */
  readonly wsUrl: string;
  /** The secret that signs calls to this path (the function's signingSecret). */
  setSecret(path: string, secret: string): void;
  on(path: string, behaviour: ToolBehaviour): void;
  requests(): readonly ToolRequest[];
  close(): Promise<void>;
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export async function startFakeToolServer(): Promise<FakeToolServer> {
  const secrets = new Map<string, string>();
  const behaviours = new Map<string, ToolBehaviour>();
  const recorded: ToolRequest[] = [];
  const hanging = new Set<http.ServerResponse | WebSocket>();

  const verify = (path: string, headers: Record<string, string>, body: string): boolean => {
    const secret = secrets.get(path);
    return (
      secret !== undefined &&
      verifyRequestSignature(
        secret,
        { timestamp: headers[SIGNATURE_TIMESTAMP_HEADER.toLowerCase()], signature: headers[SIGNATURE_HEADER.toLowerCase()] },
        body,
        new Date(),
      )
    );
  };

  const answer = (path: string, body: string): { status: number; text: string } | 'hang' => {
    const behaviour = behaviours.get(path);
    if (behaviour === undefined) return { status: 404, text: JSON.stringify({ error: 'no such tool' }) };
    if (behaviour.kind === 'hang') return 'hang';
    const parsed = JSON.parse(body) as { arguments: unknown; name: string };
    return { status: behaviour.status ?? 200, text: JSON.stringify(behaviour.body(parsed)) };
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = new URL(request.url ?? '/', 'http://tool').pathname;
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = headersOf(request);
      const signatureValid = verify(path, headers, body);
      recorded.push({ transport: 'http', path, headers, body, signatureValid });
      if (!signatureValid) {
        response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'bad signature' }));
        return;
      }
      const result = answer(path, body);
      if (result === 'hang') {
        hanging.add(response);
        return;
      }
      response.writeHead(result.status, { 'content-type': 'application/json' }).end(result.text);
    });
  });

  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    sockets.handleUpgrade(request, socket, head, (ws) => {
      const path = new URL(request.url ?? '/', 'http://tool').pathname;
      const headers = headersOf(request);
      ws.once('message', (data) => {
        const body = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8');
        const signatureValid = verify(path, headers, body);
        recorded.push({ transport: 'ws', path, headers, body, signatureValid });
        if (!signatureValid) {
          ws.close(4401, 'bad signature');
          return;
        }
        const result = answer(path, body);
        if (result === 'hang') {
          hanging.add(ws);
          return;
        }
        ws.send(result.text);
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    setSecret: (path, secret) => void secrets.set(path, secret),
    on: (path, behaviour) => void behaviours.set(path, behaviour),
    requests: () => [...recorded],
    close: async () => {
      for (const pending of hanging) {
        if ('terminate' in pending) pending.terminate();
        else pending.destroy();
      }
      for (const client of sockets.clients) client.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

import WebSocket from 'ws';
import { DomainError } from '../../domain/errors.js';
import {
  RemoteFileTooLargeError,
  UrlFetchTimedOutError,
  UrlNotAllowedError,
  UrlUnreachableError,
  type GuardedWebSocketCaller,
  type WebSocketCallOptions,
} from '../../domain/outbound.js';
import { pinnedLookup } from './guarded-fetcher.js';
import { checkOutboundTarget, systemResolver, type HostResolver, type OutboundPolicy } from './outbound-target.js';

export interface GuardedWebSocketCallerOptions extends OutboundPolicy {
  readonly resolve?: HostResolver;
  readonly userAgent?: string;
}

/** Close code 1009: the peer sent a message larger than we take. */
const MESSAGE_TOO_BIG = 1009;

/**
 * WebSocket calls under the guarded fetcher's rules: `wss://` only (plain `ws://` to loopback where the local setting
 * allows), the address checked as its `https://` twin and pinned for the connection, no redirects, one deadline for
 * the whole exchange and a cap on the answer's size.
 */
export function createGuardedWebSocketCaller(options: GuardedWebSocketCallerOptions): GuardedWebSocketCaller {
  const resolveHost = options.resolve ?? systemResolver;
  const policy: OutboundPolicy = { allowPrivateUrls: options.allowPrivateUrls };
  const userAgent = options.userAgent ?? 'companion-api';

  return {
    async call(url: string, call: WebSocketCallOptions): Promise<string> {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new UrlNotAllowedError('it is not an absolute URL');
      }
      const plainAllowed = parsed.protocol === 'ws:' && policy.allowPrivateUrls;
      if (parsed.protocol !== 'wss:' && !plainAllowed) throw new UrlNotAllowedError('only wss:// URLs are allowed here');
      const twin = new URL(url);
      twin.protocol = parsed.protocol === 'wss:' ? 'https:' : 'http:';

      const deadline = Date.now() + call.timeoutMs;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new UrlFetchTimedOutError(call.timeoutMs)), call.timeoutMs);
      });
      timedOut.catch(() => undefined);
      let socket: WebSocket | undefined;
      try {
        const target = await Promise.race([checkOutboundTarget(twin, policy, resolveHost), timedOut]);
        const exchange = new Promise<string>((resolve, reject) => {
          const ws = new WebSocket(url, {
            headers: { 'user-agent': userAgent, ...call.headers },
            lookup: pinnedLookup(target.address),
            handshakeTimeout: Math.max(1, deadline - Date.now()),
            maxPayload: call.maxBytes,
            followRedirects: false,
            perMessageDeflate: false,
          } as WebSocket.ClientOptions);
          socket = ws;
          ws.on('open', () => ws.send(call.message));
          ws.on('message', (data, isBinary) => {
            const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
            resolve(isBinary ? bytes.toString('utf8') : bytes.toString('utf8'));
            ws.close(1000);
          });
          ws.on('unexpected-response', (_request, response) => {
            reject(new UrlUnreachableError(`the endpoint answered the WebSocket handshake with HTTP ${response.statusCode ?? 0}`));
            response.resume();
          });
          ws.on('error', (err: NodeJS.ErrnoException) => {
            if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' || /max payload/i.test(err.message)) reject(new RemoteFileTooLargeError(call.maxBytes));
            else reject(new UrlUnreachableError(err.code === 'ECONNREFUSED' ? 'the connection was refused' : 'the WebSocket connection failed', err));
          });
          ws.on('close', (code) => {
            if (code === MESSAGE_TOO_BIG) reject(new RemoteFileTooLargeError(call.maxBytes));
            reject(new UrlUnreachableError('the endpoint closed the WebSocket without answering'));
          });
        });
        exchange.catch(() => undefined);
        return await Promise.race([exchange, timedOut]);
      } catch (err) {
        if (err instanceof DomainError) throw err;
        throw new UrlUnreachableError('the WebSocket connection failed', err);
      } finally {
        clearTimeout(timer);
        if (socket !== undefined && socket.readyState !== WebSocket.CLOSED) socket.terminate();
      }
    },
  };
}

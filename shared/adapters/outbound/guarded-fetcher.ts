import type { LookupAddress, LookupOptions } from 'node:dns';
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { DomainError } from '../../domain/errors.js';
import {
  MAX_REDIRECTS,
  RemoteFileTooLargeError,
  UrlFetchTimedOutError,
  UrlUnreachableError,
  type GuardedFetchOptions,
  type GuardedFetcher,
  type GuardedResponse,
} from '../../domain/outbound.js';
import { checkOutboundTarget, systemResolver, type CheckedTarget, type HostResolver, type OutboundPolicy, type ResolvedAddress } from './outbound-target.js';

export interface GuardedFetcherOptions extends OutboundPolicy {
  /** Replaceable so that tests can make a name resolve to any address. */
  readonly resolve?: HostResolver;
  readonly userAgent?: string;
}

type Method = NonNullable<GuardedFetchOptions['method']>;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Set by the fetcher alone: a tenant's Host would address another site behind the pinned IP, the rest would break framing. */
const TRANSPORT_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'te', 'keep-alive']);

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Answers the socket's DNS query with the address that was checked, so that a second resolution (which a hostile
 * name server could answer differently: DNS rebinding) never happens between the check and the connection.
 */
export function pinnedLookup(pinned: ResolvedAddress) {
  return (_hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    if (options.all === true) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  };
}

function flattenHeaders(raw: IncomingMessage['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

const TLS_ERROR = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|HOSTNAME_MISMATCH)/;

function unreachable(err: unknown): UrlUnreachableError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (code === 'ECONNREFUSED') return new UrlUnreachableError('the connection was refused', err);
  if (TLS_ERROR.test(code)) return new UrlUnreachableError('the TLS certificate was not accepted', err);
  if (code === 'HPE_HEADER_OVERFLOW' || code.startsWith('HPE_')) return new UrlUnreachableError('the server answered with a malformed response', err);
  return new UrlUnreachableError('the connection failed', err);
}

interface Hop {
  readonly target: CheckedTarget;
  readonly method: Method;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array | string | undefined;
}

/** Sends one request to the checked address and reads the answer within the byte limit. */
function exchange(hop: Hop, maxBytes: number, signal: AbortSignal, userAgent: string): Promise<GuardedResponse & { location?: string }> {
  return new Promise((resolve, reject) => {
    const { target } = hop;
    const headers: OutgoingHttpHeaders = { 'user-agent': userAgent };
    for (const [name, value] of Object.entries(hop.headers)) {
      if (!TRANSPORT_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
    }
    if (hop.body !== undefined) headers['content-length'] = Buffer.byteLength(hop.body);
    const transport = target.url.protocol === 'https:' ? https : http;
    const request = transport.request({
      protocol: target.url.protocol,
      hostname: target.hostname,
      port: target.url.port === '' ? undefined : Number(target.url.port),
      path: `${target.url.pathname}${target.url.search}`,
      method: hop.method,
      headers,
      lookup: pinnedLookup(target.address),
      // A fresh connection per request: a pooled socket could have been opened to an address checked for another URL.
      agent: false,
      signal,
    });
    request.on('error', reject);
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const responseHeaders = flattenHeaders(response.headers);
      const done = (body: Buffer, location?: string): void =>
        resolve({ status, headers: responseHeaders, body, finalUrl: target.url.href, ...(location === undefined ? {} : { location }) });

      if (REDIRECT_STATUSES.has(status) && response.headers.location !== undefined) {
        // The redirect's own body is never needed; do not spend time or memory on it.
        response.destroy();
        done(Buffer.alloc(0), response.headers.location);
        return;
      }
      const declared = Number(response.headers['content-length']);
      if (hop.method !== 'HEAD' && Number.isFinite(declared) && declared > maxBytes) {
        response.destroy();
        reject(new RemoteFileTooLargeError(maxBytes));
        return;
      }
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBytes) {
          response.destroy();
          reject(new RemoteFileTooLargeError(maxBytes));
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', reject);
      response.on('end', () => done(Buffer.concat(chunks, received)));
      response.on('close', () => {
        if (!response.complete) reject(new UrlUnreachableError('the connection closed before the body was complete'));
      });
    });
    request.end(hop.body);
  });
}

function nextMethod(status: number, method: Method): Method {
  // As browsers do: 303 always becomes GET, and so does a POST answered with 301 or 302; 307 and 308 keep the method.
  if (status === 303 && method !== 'HEAD') return 'GET';
  if ((status === 301 || status === 302) && method === 'POST') return 'GET';
  return method;
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * The guarded fetcher of ARCHITECTURE.md (Outbound URLs): https only, every address checked before connecting and
 * pinned for the connection, redirects followed by hand and checked hop by hop, the body capped while it streams,
 * and one deadline for the whole exchange.
 */
export function createGuardedFetcher(options: GuardedFetcherOptions): GuardedFetcher {
  const resolveHost = options.resolve ?? systemResolver;
  const userAgent = options.userAgent ?? 'companion-api';
  const policy: OutboundPolicy = { allowPrivateUrls: options.allowPrivateUrls };

  return {
    async checkUrl(url: string): Promise<void> {
      await checkOutboundTarget(url, policy, resolveHost);
    },

    async fetch(url: string, fetchOptions: GuardedFetchOptions): Promise<GuardedResponse> {
      const { maxBytes, timeoutMs } = fetchOptions;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new UrlFetchTimedOutError(timeoutMs)), timeoutMs);
      const aborted = rejectOnAbort(controller.signal);
      // Neither the deadline nor a step that lost the race to it may surface later as an unhandled rejection.
      aborted.catch(() => undefined);
      const beforeDeadline = <T>(work: Promise<T>): Promise<T> => {
        work.catch(() => undefined);
        return Promise.race([work, aborted]);
      };
      try {
        let target = await beforeDeadline(checkOutboundTarget(url, policy, resolveHost));
        let method: Method = fetchOptions.method ?? 'GET';
        let headers = fetchOptions.headers ?? {};
        let body = fetchOptions.body;
        for (let redirects = 0; ; redirects++) {
          const response = await exchange({ target, method, headers, body }, maxBytes, controller.signal, userAgent);
          if (response.location === undefined) {
            const { location: _location, ...final } = response;
            return final;
          }
          if (redirects === MAX_REDIRECTS) throw new UrlUnreachableError(`more than ${MAX_REDIRECTS} redirects`);
          let next: URL;
          try {
            next = new URL(response.location, target.url);
          } catch (err) {
            throw new UrlUnreachableError('the server redirected to a malformed URL', err);
          }
          const previous = target;
          target = await beforeDeadline(checkOutboundTarget(next, policy, resolveHost));
          if (target.url.origin !== previous.url.origin) headers = {};
          const changed = nextMethod(response.status, method);
          if (changed !== method) body = undefined;
          method = changed;
        }
      } catch (err) {
        if (controller.signal.aborted) throw controller.signal.reason;
        if (err instanceof DomainError) throw err;
        throw unreachable(err);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

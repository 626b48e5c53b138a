import { BadRequestError } from './errors.js';

/**
 * The one way the service reaches a URL a tenant gave it (media and knowledge URLs, explicit tools, webhooks).
 * Such URLs are attacker-controlled: the fetcher must never let them reach the platform's own network (metadata
 * endpoints, private addresses, loopback) nor hold a worker for long or fill its memory.
 */
export interface GuardedFetcher {
  fetch(url: string, options: GuardedFetchOptions): Promise<GuardedResponse>;
  /**
   * Runs the same checks as `fetch` without fetching, so that a request can be refused with UrlNotAllowed at once
   * rather than when a background job gets to it. `fetch` checks again: DNS may answer differently by then.
   */
  checkUrl(url: string): Promise<void>;
}

export interface GuardedFetchOptions {
  /** The largest body accepted; a longer one aborts the transfer with RemoteFileTooLargeError. */
  readonly maxBytes: number;
  /** The whole exchange (DNS, every redirect hop, the body) must finish within this time. */
  readonly timeoutMs: number;
  readonly method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent to the first origin only: a redirect to another origin drops them, as they may carry the tenant's secrets. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
}

export interface GuardedResponse {
  /** The final response's status; redirects are followed, every other status is returned as is. */
  readonly status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The URL that answered, after redirects. */
  readonly finalUrl: string;
}

/** Redirects followed before giving up; each hop is checked like the first URL. */
export const MAX_REDIRECTS = 5;

/** The URL is not one the service will fetch: wrong scheme, credentials, or an address that is not public. */
export class UrlNotAllowedError extends BadRequestError {
  constructor(readonly reason: string) {
    super('UrlNotAllowed', `The URL is not allowed: ${reason}.`);
  }
}

export class RemoteFileTooLargeError extends BadRequestError {
  constructor(readonly limitBytes: number) {
    super('RemoteFileTooLarge', `The file at the URL is larger than the limit of ${limitBytes} bytes.`);
  }
}

export class UrlFetchTimedOutError extends BadRequestError {
  constructor(readonly timeoutMs: number) {
    super('UrlFetchTimedOut', `The URL did not answer completely within ${timeoutMs} ms.`);
  }
}

/** DNS failure, refused connection, TLS failure, a reset mid-transfer, or too many redirects. */
export class UrlUnreachableError extends BadRequestError {
  /** `cause` keeps the low-level error for logs; only `reason` reaches the client. */
  constructor(
    readonly reason: string,
    cause?: unknown,
  ) {
    super('UrlUnreachable', `The URL could not be fetched: ${reason}.`);
    if (cause !== undefined) this.cause = cause;
  }
}

/**
 * One request-and-answer exchange over a WebSocket (explicit functions with a `wss://` endpoint): connect with the
 * given headers, send one text message, take the first message back, close. The same address rules and errors as
 * the guarded fetcher: UrlNotAllowedError, UrlFetchTimedOutError, UrlUnreachableError, RemoteFileTooLargeError.
 */
export interface GuardedWebSocketCaller {
  call(url: string, options: WebSocketCallOptions): Promise<string>;
}

export interface WebSocketCallOptions {
  readonly headers: Readonly<Record<string, string>>;
  readonly message: string;
  /** Connecting, the handshake and the answer must all happen within this time. */
  readonly timeoutMs: number;
  /** The largest answer accepted. */
  readonly maxBytes: number;
}

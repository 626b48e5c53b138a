import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';

/**
 * A local stand-in for an Azure OpenAI resource that speaks its REST protocol
 * (`/openai/deployments/{deployment}/embeddings|chat/completions?api-version=...`, `api-key` or bearer auth,
 * Azure's error envelope, `Retry-After` on 429), so tests drive the real `openai` package's `AzureOpenAI` client.
 * Embeddings are deterministic: hashed word features folded into a unit vector, so texts sharing words are close.
 * Chat answers follow a script of replies and tool calls, else a plain echo of the last user message.
 */

export type DeploymentKind = 'chat' | 'embedding' | 'realtime';

export interface ScriptedToolCall {
  readonly name: string;
  readonly arguments: Record<string, unknown>;
  readonly id?: string;
}

export type ScriptedReply =
  | { readonly content: string }
  | { readonly toolCalls: readonly ScriptedToolCall[] }
  /** The completion is withheld by the content filter in these categories (finish_reason "content_filter"). */
  | { readonly contentFilter: readonly ('hate' | 'sexual' | 'violence' | 'self_harm')[] }
  /** Wait this long before answering (a slow model), then answer with `then`. */
  | { readonly delayMs: number; readonly then: { content: string } | { toolCalls: readonly ScriptedToolCall[] } };

export interface InjectedFailure {
  readonly status: 429 | 500 | 503 | 400;
  /** Seconds, sent as `Retry-After` (and `retry-after-ms`) on 429 and 503. */
  readonly retryAfterSeconds?: number;
  readonly code?: string;
}

export interface RecordedRequest {
  readonly deployment: string;
  readonly operation: 'embeddings' | 'chat/completions' | 'realtime/client_secrets';
  readonly apiVersion: string | null;
  readonly body: Record<string, unknown>;
  readonly auth: 'api-key' | 'bearer' | 'none';
}

export interface FakeAzureOpenAI {
  /** The resource endpoint, e.g. `http://127.0.0.1:1234` (what AZURE_OPENAI_ENDPOINT names). */
  readonly endpoint: string;
  readonly apiKey: string;
  readonly embeddingDimensions: number;
  /** Replies the chat deployments give, in order, before falling back to echo. */
  script(...replies: ScriptedReply[]): void;
  /** The next `count` requests (of any operation) fail this way. */
  failNext(count: number, failure: InjectedFailure): void;
  requests(): readonly RecordedRequest[];
  reset(): void;
  close(): Promise<void>;
}

export interface FakeAzureOpenAIOptions {
  readonly deployments?: Readonly<Record<string, DeploymentKind>>;
  readonly apiKey?: string;
  /** Bearer tokens accepted in place of the key (a managed-identity caller). */
  readonly bearerTokens?: readonly string[];
  readonly embeddingDimensions?: number;
  /**
   * Answers WebRTC calls (`POST /openai/v1/realtime/calls`, the SDP offer with an ephemeral key minted here): the
   * realtime model's side, e.g. a FakeRealtimePeer's `answer`. Without it the route answers 404.
   */
  readonly realtimeCalls?: (offerSdp: string) => Promise<string>;
}

/** Deterministic embedding: each lower-cased word adds ±1 at two hashed positions; the vector is normalised. */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const word of words) {
    const digest = createHash('sha256').update(word).digest();
    for (let i = 0; i < 2; i += 1) {
      const position = digest.readUInt32BE(i * 4) % dimensions;
      const sign = (digest[8 + i] ?? 0) % 2 === 0 ? 1 : -1;
      vector[position] = (vector[position] ?? 0) + sign;
    }
  }
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));
  return norm === 0 ? vector : vector.map((v) => v / norm);
}

function tokenCount(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export async function startFakeAzureOpenAI(options: FakeAzureOpenAIOptions = {}): Promise<FakeAzureOpenAI> {
  const deployments = options.deployments ?? { 'gpt-4o': 'chat', 'text-embedding-3-small': 'embedding', 'gpt-realtime': 'realtime' };
  const apiKey = options.apiKey ?? `fake-aoai-${randomUUID()}`;
  const bearerTokens = new Set(options.bearerTokens ?? []);
  const dimensions = options.embeddingDimensions ?? 256;
  let replies: ScriptedReply[] = [];
  /** Ephemeral keys minted for realtime sessions: what a WebRTC call must present. */
  const clientSecrets = new Set<string>();
  let failures: InjectedFailure[] = [];
  let recorded: RecordedRequest[] = [];

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'apim-request-id': randomUUID(), ...headers });
    res.end(JSON.stringify(body));
  };
  const azureError = (res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void =>
    send(res, status, { error: { code, message, type: null, param: null } }, headers);

  const readBody = async (req: http.IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };

  const embeddings = (res: http.ServerResponse, deployment: string, body: Record<string, unknown>): void => {
    const input = body['input'];
    const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input.map(String) : undefined;
    if (!texts || texts.length === 0) {
      azureError(res, 400, 'invalid_request_error', "'input' is a required property");
      return;
    }
    if (texts.length > 2048) {
      azureError(res, 400, 'invalid_request_error', 'Too many inputs. The max number of inputs is 2048.');
      return;
    }
    const tokens = texts.reduce((sum, t) => sum + tokenCount(t), 0);
    // The openai client asks for base64 (little-endian float32) by default, as the real service supports.
    const encode = (vector: number[]): number[] | string =>
      body['encoding_format'] === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    send(res, 200, {
      object: 'list',
      model: deployment,
      data: texts.map((text, index) => ({ object: 'embedding', index, embedding: encode(fakeEmbedding(text, dimensions)) })),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  };

  const lastUserMessage = (body: Record<string, unknown>): string => {
    const messages = Array.isArray(body['messages']) ? (body['messages'] as { role?: string; content?: unknown }[]) : [];
    const user = [...messages].reverse().find((m) => m.role === 'user');
    return typeof user?.content === 'string' ? user.content : '';
  };

  const chat = async (res: http.ServerResponse, deployment: string, body: Record<string, unknown>): Promise<void> => {
    const next: ScriptedReply = replies.shift() ?? { content: `You said: ${lastUserMessage(body)}` };
    if ('contentFilter' in next) {
      // As Azure OpenAI answers a completion its filter stopped: no content, the categories that triggered it.
      const results = Object.fromEntries(
        ['hate', 'sexual', 'violence', 'self_harm'].map((category) =>
          next.contentFilter.includes(category as never) ? [category, { filtered: true, severity: 'high' }] : [category, { filtered: false, severity: 'safe' }],
        ),
      );
      send(res, 200, {
        id: `chatcmpl-${randomUUID()}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: deployment,
        choices: [{ index: 0, finish_reason: 'content_filter', message: { role: 'assistant', content: null }, content_filter_results: results }],
        usage: { prompt_tokens: 1, completion_tokens: 0, total_tokens: 1 },
      });
      return;
    }
    let reply: { content: string } | { toolCalls: readonly ScriptedToolCall[] };
    if ('delayMs' in next) {
      await new Promise((r) => setTimeout(r, next.delayMs));
      reply = next.then;
    } else {
      reply = next;
    }
    const message =
      'toolCalls' in reply
        ? {
            role: 'assistant',
            content: null,
            tool_calls: reply.toolCalls.map((call) => ({
              id: call.id ?? `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
              type: 'function',
              function: { name: call.name, arguments: JSON.stringify(call.arguments) },
            })),
          }
        : { role: 'assistant', content: reply.content };
    const promptTokens = tokenCount(JSON.stringify(body['messages'] ?? []));
    const completionTokens = tokenCount(JSON.stringify(message));
    send(res, 200, {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: deployment,
      choices: [{ index: 0, finish_reason: 'toolCalls' in reply ? 'tool_calls' : 'stop', message }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    });
  };

  /**
   * The v1 API's realtime client secrets (`POST /openai/v1/realtime/client_secrets`): the key as a bearer token or
   * `api-key`, no api-version; answers an ephemeral key with the session as configured.
   */
  const realtimeClientSecret = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const keyHeader = req.headers['api-key'];
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const auth: RecordedRequest['auth'] = keyHeader !== undefined ? 'api-key' : bearer !== undefined ? 'bearer' : 'none';
    const body = await readBody(req);
    const session = (body['session'] ?? {}) as Record<string, unknown>;
    const deployment = typeof session['model'] === 'string' ? session['model'] : '';
    recorded.push({ deployment, operation: 'realtime/client_secrets', apiVersion: null, body, auth });
    if (!(keyHeader === apiKey || bearer === apiKey || (bearer !== undefined && bearerTokens.has(bearer)))) {
      azureError(res, 401, '401', 'Access denied due to invalid subscription key or wrong API endpoint.');
      return;
    }
    const failure = failures.shift();
    if (failure) {
      azureError(res, failure.status, failure.code ?? 'InternalServerError', 'The server had an error while processing your request.');
      return;
    }
    if (deployments[deployment] !== 'realtime') {
      azureError(res, 400, 'invalid_value', `The model "${deployment}" is not a realtime deployment of this resource.`);
      return;
    }
    const expiresAfter = (body['expires_after'] as { seconds?: number } | undefined)?.seconds ?? 600;
    const value = `ek_${randomUUID().replace(/-/g, '')}`;
    clientSecrets.add(value);
    send(res, 200, {
      value,
      expires_at: Math.floor(Date.now() / 1000) + expiresAfter,
      session: { ...session, id: `sess_${randomUUID().replace(/-/g, '').slice(0, 20)}`, object: 'realtime.session' },
    });
  };

  /**
   * A browser's WebRTC call (`POST /openai/v1/realtime/calls`, `Content-Type: application/sdp`, the ephemeral key as
   * bearer): answers 201 with the SDP answer. Browsers call it from the app's origin, so it answers CORS as well.
   */
  const realtimeCall = async (req: http.IncomingMessage, res: http.ServerResponse, answer: (offerSdp: string) => Promise<string>): Promise<void> => {
    const cors = {
      'access-control-allow-origin': req.headers.origin ?? '*',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-allow-methods': 'POST, OPTIONS',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors);
      res.end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (req.method !== 'POST' || bearer === undefined || !clientSecrets.has(bearer)) {
      res.writeHead(401, { ...cors, 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: '401', message: 'The ephemeral key is missing, unknown or expired.' } }));
      return;
    }
    const sdp = await answer(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(201, { ...cors, 'content-type': 'application/sdp', location: `/openai/v1/realtime/calls/rtc_${randomUUID().slice(0, 8)}` });
    res.end(sdp);
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      if (req.method === 'POST' && url.pathname === '/openai/v1/realtime/client_secrets') {
        await realtimeClientSecret(req, res);
        return;
      }
      if (url.pathname === '/openai/v1/realtime/calls' && options.realtimeCalls !== undefined) {
        await realtimeCall(req, res, options.realtimeCalls);
        return;
      }
      const match = /^\/openai\/deployments\/([^/]+)\/(embeddings|chat\/completions)$/.exec(url.pathname);
      if (req.method !== 'POST' || !match) {
        azureError(res, 404, '404', 'Resource not found');
        return;
      }
      const deployment = decodeURIComponent(match[1] ?? '');
      const operation = match[2] as RecordedRequest['operation'];
      const keyHeader = req.headers['api-key'];
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const auth: RecordedRequest['auth'] = keyHeader !== undefined ? 'api-key' : bearer !== undefined ? 'bearer' : 'none';
      const body = await readBody(req);
      recorded.push({ deployment, operation, apiVersion: url.searchParams.get('api-version'), body, auth });

      if (!url.searchParams.get('api-version')) {
        azureError(res, 404, '404', 'Resource not found');
        return;
      }
      if (!(keyHeader === apiKey || (bearer !== undefined && bearerTokens.has(bearer)))) {
        azureError(res, 401, '401', 'Access denied due to invalid subscription key or wrong API endpoint.');
        return;
      }
      const failure = failures.shift();
      if (failure) {
        const retryHeaders: Record<string, string> =
          failure.retryAfterSeconds !== undefined
            ? { 'retry-after': String(failure.retryAfterSeconds), 'retry-after-ms': String(failure.retryAfterSeconds * 1000) }
            : {};
        const code = failure.code ?? (failure.status === 429 ? '429' : 'InternalServerError');
        const message =
          failure.status === 429
            ? 'Requests to the API have exceeded call rate limit of your current pricing tier. Please retry after a while.'
            : 'The server had an error while processing your request.';
        azureError(res, failure.status, code, message, retryHeaders);
        return;
      }
      const kind = deployments[deployment];
      if (kind === undefined) {
        azureError(res, 404, 'DeploymentNotFound', 'The API deployment for this resource does not exist.');
        return;
      }
      if ((operation === 'embeddings') !== (kind === 'embedding')) {
        azureError(res, 400, 'OperationNotSupported', `The ${operation} operation does not work with the specified model.`);
        return;
      }
      if (operation === 'embeddings') embeddings(res, deployment, body);
      else await chat(res, deployment, body);
    })().catch((err: unknown) => {
      if (!res.headersSent) azureError(res, 500, 'FakeError', String(err));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const endpoint = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;

  return {
    endpoint,
    apiKey,
    embeddingDimensions: dimensions,
    script: (...next) => {
      replies.push(...next);
    },
    failNext: (count, failure) => {
      for (let i = 0; i < count; i += 1) failures.push(failure);
    },
    requests: () => recorded,
    reset: () => {
      replies = [];
      failures = [];
      recorded = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

import { z } from 'zod';
import { isReservedToolName } from './built-in-tools.js';
import type { FieldProblem } from './errors.js';
import { isJsonObject, type JsonObject } from './json-object.js';
import type { SealedSecret } from './secret-sealer.js';

/**
 * A function (tool) of a project (seed `faq.txt`, "What's the difference between implicit and explicit tools?"):
 * implicit ones are executed by the calling application, explicit ones by an HTTPS or WSS endpoint the backend calls.
 * Agents list the functions they may call; the model sees each as a tool with its name, description and parameters.
 */

/** The OpenAI tool-name rule, so that every function can be handed to the model as it is named. */
export const FUNCTION_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const functionNameSchema = z
  .string()
  .regex(FUNCTION_NAME_PATTERN, 'must be 1-64 characters of A-Z a-z 0-9 _ -')
  .describe('the tool name the model calls; unique in the project');

export const functionFlowSchema = z.enum(['implicit', 'explicit']);
export type FunctionFlow = z.infer<typeof functionFlowSchema>;

export const functionDescriptionSchema = z.string().trim().max(1024);
export const functionPromptSchema = z.string().trim().max(4000);

export const DEFAULT_FUNCTION_TIMEOUT_MS = 10_000;
export const MIN_FUNCTION_TIMEOUT_MS = 100;
export const MAX_FUNCTION_TIMEOUT_MS = 60_000;
export const functionTimeoutSchema = z.number().int().min(MIN_FUNCTION_TIMEOUT_MS).max(MAX_FUNCTION_TIMEOUT_MS);

export const MAX_FUNCTION_URL_LENGTH = 2048;

/**
 * Bounds on `parameters` before any JSON Schema library sees it: compiling a schema costs time and stack in
 * proportion to its size and depth, and a tool's parameters are a few dozen properties, not a document.
 */
export const MAX_PARAMETERS_JSON_LENGTH = 64 * 1024;
export const MAX_PARAMETERS_DEPTH = 32;

export const MAX_FUNCTION_HEADERS = 20;
/** RFC 9110 field-name token. */
const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
/** No CR, LF or NUL, which would split or end the header; other control characters are refused by Node anyway. */
const HEADER_VALUE_PATTERN = /^[^\r\n\0]*$/;

/**
 * Headers the platform sets itself on a call to an explicit function (framing, the target host, and the webhook-style
 * signature the endpoint verifies), so a function cannot replace them; `proxy-*` ones too, as they address proxies.
 */
const RESERVED_HEADER_NAMES: ReadonlySet<string> = new Set([
  'host',
  'connection',
  'content-length',
  'content-type',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'keep-alive',
  'x-webhook-timestamp',
  'x-webhook-signature',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
]);

export const functionHeadersSchema = z
  .record(
    z.string().regex(HEADER_NAME_PATTERN, 'header names are 1-100 characters of an HTTP token'),
    z.string().max(4096).regex(HEADER_VALUE_PATTERN, 'header values cannot hold line breaks'),
  )
  .refine((headers) => Object.keys(headers).length <= MAX_FUNCTION_HEADERS, { message: `at most ${MAX_FUNCTION_HEADERS} headers` })
  .describe('write-only: sent with every call to the explicit endpoint, encrypted at rest and never returned');

export type FunctionHeaders = Readonly<Record<string, string>>;

/** What a function is defined by: the body of POST and PUT /public/functions (PUT replaces all of it). */
export interface FunctionDefinitionInput {
  readonly data: {
    readonly name: string;
    readonly description?: string | undefined;
    readonly parameters?: JsonObject | undefined;
  };
  readonly flow: FunctionFlow;
  readonly url?: string | undefined;
  readonly headers?: FunctionHeaders | undefined;
  readonly prompt?: string | undefined;
  readonly timeoutMs?: number | undefined;
}

export interface AgentFunction {
  readonly id: string;
  readonly projectId: string;
  readonly orgId: string;
  readonly name: string;
  readonly description?: string | undefined;
  /** The JSON Schema of the arguments, an object schema; absent means the function takes none. */
  readonly parameters?: JsonObject | undefined;
  readonly flow: FunctionFlow;
  /** Explicit functions only: the `https://` or `wss://` endpoint. */
  readonly url?: string | undefined;
  /** The header names, shown to clients in place of the write-only headers. */
  readonly headerNames: string[];
  /** The headers as a JSON object, sealed by the SecretSealer; never returned, never logged. */
  readonly sealedHeaders?: SealedSecret | undefined;
  /**
   * The secret that signs every call to the endpoint (X-Webhook-Signature), sealed like the headers. Made when the
   * function is created and returned once then; `POST /public/functions/{id}/signing-secret` replaces it.
   */
  readonly sealedSigningSecret?: SealedSecret | undefined;
  /** Told to the model under the function's name in the session instructions: when and how to use it. */
  readonly prompt?: string | undefined;
  readonly timeoutMs: number;
  readonly created: string;
  readonly updated: string;
  readonly etag: string;
}

export type NewAgentFunction = Omit<AgentFunction, 'etag'>;

/** A function as clients see it: the API.md shape, with `headerNames` instead of the headers. */
export interface AgentFunctionView {
  readonly id: string;
  readonly data: { readonly name: string; readonly description?: string | undefined; readonly parameters?: JsonObject | undefined };
  readonly flow: FunctionFlow;
  readonly url?: string | undefined;
  readonly headerNames: string[];
  readonly prompt?: string | undefined;
  readonly timeoutMs: number;
  readonly created: string;
  readonly updated: string;
  readonly etag: string;
}

export function agentFunctionViewOf(fn: AgentFunction): AgentFunctionView {
  return {
    id: fn.id,
    data: { name: fn.name, description: fn.description, parameters: fn.parameters },
    flow: fn.flow,
    url: fn.url,
    headerNames: fn.headerNames,
    prompt: fn.prompt,
    timeoutMs: fn.timeoutMs,
    created: fn.created,
    updated: fn.updated,
    etag: fn.etag,
  };
}

/** A view with the signing secret, returned once: by the create call and by a rotation. */
export interface AgentFunctionWithSecretView extends AgentFunctionView {
  readonly signingSecret: string;
}

/** The prefix makes a leaked secret recognisable to secret scanners and people alike. */
export const SIGNING_SECRET_PREFIX = 'fnsec_';

/** The schemes an explicit endpoint may use; plain http and ws only to loopback, and only where the local setting allows. */
function urlSchemeProblem(url: string, allowPrivateUrls: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute https:// or wss:// URL';
  }
  if (parsed.username !== '' || parsed.password !== '') return 'must not contain credentials; send them in headers';
  const secure = parsed.protocol === 'https:' || parsed.protocol === 'wss:';
  const plainForLocalTests = allowPrivateUrls && (parsed.protocol === 'http:' || parsed.protocol === 'ws:');
  return secure || plainForLocalTests ? undefined : 'must be an https:// or wss:// URL';
}

function depthOf(value: unknown, limit: number, depth = 0): number {
  if (depth > limit || typeof value !== 'object' || value === null) return depth;
  let deepest = depth;
  for (const child of Object.values(value)) {
    deepest = Math.max(deepest, depthOf(child, limit, depth + 1));
    if (deepest > limit) break;
  }
  return deepest;
}

/**
 * What makes `parameters` unusable as tool parameters before its JSON Schema validity is judged: it must describe an
 * object of named arguments (the model's arguments are always one JSON object) and stay within the size bounds.
 */
export function parametersShapeProblems(parameters: JsonObject): FieldProblem[] {
  const path = 'data.parameters';
  if (JSON.stringify(parameters).length > MAX_PARAMETERS_JSON_LENGTH) {
    return [{ path, message: `must be at most ${MAX_PARAMETERS_JSON_LENGTH} characters of JSON` }];
  }
  if (depthOf(parameters, MAX_PARAMETERS_DEPTH) > MAX_PARAMETERS_DEPTH) {
    return [{ path, message: `must nest at most ${MAX_PARAMETERS_DEPTH} levels deep` }];
  }
  if (parameters.type !== 'object') {
    return [{ path: `${path}.type`, message: 'must be "object": a tool takes its arguments as one object of named properties' }];
  }
  if (parameters.properties !== undefined && !isJsonObject(parameters.properties)) {
    return [{ path: `${path}.properties`, message: 'must be an object of property schemas' }];
  }
  return [];
}

/**
 * The rules between fields of a definition: explicit functions need an endpoint, implicit ones take neither an
 * endpoint nor headers (the calling application runs them), header names are unique and not the platform's own, and
 * the name is not a built-in tool's.
 */
export function functionDefinitionProblems(input: FunctionDefinitionInput, allowPrivateUrls: boolean): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (isReservedToolName(input.data.name)) {
    problems.push({ path: 'data.name', message: 'is reserved for a built-in tool' });
  }
  if (input.flow === 'explicit') {
    if (input.url === undefined) problems.push({ path: 'url', message: 'is required for an explicit function' });
    else {
      const problem = urlSchemeProblem(input.url, allowPrivateUrls);
      if (problem !== undefined) problems.push({ path: 'url', message: problem });
    }
  } else {
    if (input.url !== undefined) {
      problems.push({ path: 'url', message: 'is for explicit functions only; the calling application runs an implicit one' });
    }
    if (input.headers !== undefined && Object.keys(input.headers).length > 0) {
      problems.push({ path: 'headers', message: 'are for explicit functions only; nothing is called for an implicit one' });
    }
  }
  const seen = new Set<string>();
  for (const name of Object.keys(input.headers ?? {})) {
    const lower = name.toLowerCase();
    if (RESERVED_HEADER_NAMES.has(lower) || lower.startsWith('proxy-')) {
      problems.push({ path: `headers.${name}`, message: 'is set by the platform and cannot be configured' });
    } else if (seen.has(lower)) {
      problems.push({ path: `headers.${name}`, message: 'is given twice (header names are case-insensitive)' });
    }
    seen.add(lower);
  }
  if (input.data.parameters !== undefined) problems.push(...parametersShapeProblems(input.data.parameters));
  return problems;
}

/** Header names in a stable order, so that views and ETags do not depend on the order a client sent them in. */
export function headerNamesOf(headers: FunctionHeaders | undefined): string[] {
  // Code-unit order of the lower-case names: the same on every host, unlike localeCompare.
  const key = (name: string) => name.toLowerCase();
  return Object.keys(headers ?? {}).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The endpoint as the guarded fetcher's address check takes it: WebSocket URLs are checked as their HTTP twins. */
export function addressCheckUrlOf(url: string): string {
  return url.replace(/^wss:/i, 'https:').replace(/^ws:/i, 'http:');
}

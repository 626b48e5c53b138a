import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type {
  RpcBindingInfo,
  RpcHttpCookie,
  RpcHttpData,
  RpcInvocationResponse,
  RpcTypedData,
} from '@azure/functions-core';
import { jsonData, stringData, sysMetadata } from '../rpc-data.js';
import { isHopByHopHeader } from './hop-by-hop.js';

/** Request headers as one string per name, the way the host's header dictionary joins repeats. */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

export function flattenQuery(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) {
    query[key] = url.searchParams.getAll(key).join(',');
  }
  return query;
}

export interface HttpRequestFacts {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly params: Record<string, string>;
}

export function toRpcHttpRequest(facts: HttpRequestFacts, body: Buffer | undefined): RpcHttpData {
  const data: RpcHttpData = {
    method: facts.method,
    url: facts.url.href,
    headers: facts.headers,
    query: flattenQuery(facts.url),
    params: facts.params,
  };
  if (body && body.length > 0) {
    data.body = { bytes: body };
  }
  return data;
}

/**
 * The host's trigger metadata for HTTP: `Query` and `Headers` as JSON and each route value as a string.
 * In stream mode the library reads headers and route values from exactly these entries.
 */
export function httpTriggerMetadata(facts: HttpRequestFacts, functionName: string): Record<string, RpcTypedData> {
  const metadata: Record<string, RpcTypedData> = {};
  for (const [name, value] of Object.entries(facts.params)) {
    metadata[name] = stringData(value);
  }
  metadata['Query'] = jsonData(flattenQuery(facts.url));
  metadata['Headers'] = jsonData(facts.headers);
  metadata['sys'] = sysMetadata(functionName);
  return metadata;
}

/** The HTTP output of an invocation: the `$return` value, or a named output binding of type http. */
export function findHttpOutput(
  response: RpcInvocationResponse,
  bindings: Record<string, RpcBindingInfo>,
): RpcHttpData | undefined {
  if (response.returnValue?.http) {
    return response.returnValue.http;
  }
  for (const output of response.outputData ?? []) {
    const binding = output.name ? bindings[output.name] : undefined;
    if (binding?.type?.toLowerCase() === 'http' && output.data?.http) {
      return output.data.http;
    }
  }
  return undefined;
}

export function typedDataToBuffer(data: RpcTypedData | null | undefined): Buffer {
  if (!data) return Buffer.alloc(0);
  if (data.bytes) return Buffer.from(data.bytes.buffer, data.bytes.byteOffset, data.bytes.byteLength);
  if (data.stream) return Buffer.from(data.stream.buffer, data.stream.byteOffset, data.stream.byteLength);
  if (typeof data.string === 'string') return Buffer.from(data.string, 'utf8');
  if (typeof data.json === 'string') return Buffer.from(data.json, 'utf8');
  if (typeof data.int === 'number') return Buffer.from(String(data.int), 'utf8');
  if (typeof data.double === 'number') return Buffer.from(String(data.double), 'utf8');
  return Buffer.alloc(0);
}

const sameSiteNames = { lax: 'Lax', strict: 'Strict', explicitNone: 'None' } as const;

/** Set-Cookie text for a cookie the library returned; values are URI-encoded as ASP.NET does. */
export function serializeCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${encodeURIComponent(cookie.value ?? '')}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const expires = cookie.expires?.value;
  if (expires && typeof expires.seconds === 'number') {
    const ms = expires.seconds * 1000 + Math.floor((expires.nanos ?? 0) / 1e6);
    parts.push(`Expires=${new Date(ms).toUTCString()}`);
  }
  if (typeof cookie.maxAge?.value === 'number') parts.push(`Max-Age=${Math.floor(cookie.maxAge.value)}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  const sameSite = cookie.sameSite && cookie.sameSite !== 'none' ? sameSiteNames[cookie.sameSite] : undefined;
  if (sameSite) parts.push(`SameSite=${sameSite}`);
  return parts.join('; ');
}

const bodylessStatuses = new Set([204, 205, 304]);

/**
 * Writes the handler's response. A function that returns nothing answers 204, which is what a
 * client of the real host gets from an HTTP function with an empty `$return`.
 */
export function writeRpcHttpResponse(res: ServerResponse, http: RpcHttpData | undefined): void {
  if (!http) {
    res.writeHead(204);
    res.end();
    return;
  }
  const status = Number.parseInt(http.statusCode ?? '', 10);
  res.statusCode = Number.isInteger(status) && status >= 100 && status <= 999 ? status : 200;
  for (const [name, value] of Object.entries(http.headers ?? {})) {
    if (!isHopByHopHeader(name) && name.toLowerCase() !== 'content-length') res.setHeader(name, value);
  }
  const cookies = (http.cookies ?? []).map(serializeCookie);
  if (cookies.length > 0) {
    const existing = res.getHeader('set-cookie');
    const prior = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
    res.setHeader('set-cookie', [...prior, ...cookies]);
  }
  const body = typedDataToBuffer(http.body);
  if (bodylessStatuses.has(res.statusCode) || res.req.method === 'HEAD') {
    res.end();
    return;
  }
  res.setHeader('content-length', body.length);
  res.end(body);
}

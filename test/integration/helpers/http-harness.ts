import { HttpRequest, InvocationContext, type HttpRequestInit, type HttpResponseInit } from '@azure/functions';
import { TokenRejectedError, type ManageTokenVerifier } from '../../../shared/domain/identity.js';
import { registrations as captured, type Registrations } from './function-registrations.js';

/**
 * Drives the real HTTP handlers the way the host would, from the registrations captured by
 * `capturingFunctionsModule` (see function-registrations.ts).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response shapes vary per call; each test asserts the fields it reads
export type Json = Record<string, any>;

export interface InvokeInit {
  readonly params?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly query?: string;
  readonly body?: HttpRequestInit['body'];
}

/** Calls a registered function the way the host would: route params resolved, headers and body as sent. */
export async function invokeHttp(name: string, init: InvokeInit = {}, registrations: Registrations = captured): Promise<HttpResponseInit> {
  const registration = registrations.http.get(name);
  if (registration === undefined) throw new Error(`no function ${name}`);
  let path = registration.route ?? name;
  for (const [key, value] of Object.entries(init.params ?? {})) path = path.replace(`{${key}}`, value).replace(`{*${key}}`, value);
  const request = new HttpRequest({
    method: registration.methods?.[0] ?? 'GET',
    url: `http://localhost:7071/${path}${init.query === undefined ? '' : `?${init.query}`}`,
    headers: init.headers ?? {},
    params: init.params ?? {},
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  return (await registration.handler(request, new InvocationContext({ invocationId: 'it', functionName: name }))) as HttpResponseInit;
}

export interface JsonCallInit {
  readonly params?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly query?: string;
  /** Sent as JSON, with its content type. */
  readonly body?: unknown;
}

export interface JsonReply {
  readonly status: number | undefined;
  readonly headers: Headers;
  /** The body as sent, when it is a string. */
  readonly text: string | undefined;
  readonly json: Json | undefined;
}

/** Calls a registered function with a JSON body (if any) and reads its JSON reply. */
export async function call(name: string, init: JsonCallInit = {}): Promise<JsonReply> {
  const response = await invokeHttp(name, {
    params: init.params,
    query: init.query,
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    ...(init.body === undefined ? {} : { body: { string: JSON.stringify(init.body) } }),
  });
  const text = typeof response.body === 'string' ? response.body : undefined;
  return {
    status: response.status,
    headers: new Headers(response.headers as Record<string, string>),
    text,
    json: text === undefined ? undefined : (JSON.parse(text) as Json),
  };
}

/** Creates a second project in the organization through the management API, and a key for it; returns its secret. */
export async function createOtherProjectKey(adminHeaders: Record<string, string>, orgId = 'org_local'): Promise<string> {
  const project = await call('manage-project-create', { headers: adminHeaders, params: { orgId }, body: { name: 'Other' } });
  const created = await call('manage-api-key-create', {
    headers: adminHeaders,
    params: { projectId: project.json!.id as string },
    body: { name: 'Other key', llm: { hosting: 'hosted' } },
  });
  return created.json!.secret as string;
}

/** Tokens of the form `user:<oid>` stand for signed Entra tokens of that user. */
export const userTokenVerifier: ManageTokenVerifier = {
  async verify(token) {
    if (!token.startsWith('user:')) throw new TokenRejectedError('not a test token');
    return { userId: token.slice(5), email: undefined, name: undefined, kind: 'entra' };
  },
};

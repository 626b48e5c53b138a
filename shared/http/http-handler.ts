import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { z } from 'zod';
import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import { quoteEtag } from '../domain/etag.js';
import type { ManagePrincipal } from '../domain/identity.js';
import type { DashboardUse } from '../services/dashboard-access.js';
import type { Services } from '../services/services.js';
import type { SessionTokenClaims } from '../services/session-tokens.js';
import { correlationIdOf } from './correlation.js';
import { registerInvocationScopeHook } from './invocation-scope-hook.js';
import { readJsonBody } from './json-body.js';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem.js';
import { queryObjectOf } from './query-params.js';
import type { BinaryBody, PrincipalOf, ResponseSpecs, RouteAuth, RouteHandler, RouteInput, RouteSpec } from './route.js';
import { parseInput } from './zod-problems.js';

// The HTTP functions load this module when the app starts, so the hook is in place before any invocation of any trigger.
registerInvocationScopeHook();

/** What the HTTP edge needs from the process: the services and the body size limit. */
export interface HttpRuntime {
  readonly services: Services;
  readonly maxBodyBytes: number;
}

export type HttpRuntimeProvider = () => Promise<HttpRuntime>;

/** Loaded on first use: the composition root pulls in the SDKs, which cold start should not pay for up front. */
const defaultRuntimeProvider: HttpRuntimeProvider = async () => {
  const { getRuntime } = await import('../runtime.js');
  const runtime = await getRuntime();
  return { services: runtime.services, maxBodyBytes: runtime.config.maxBodyBytes };
};

/** A reply seen without its route's typing, to serialise it. */
interface AnyReply {
  readonly status: number;
  readonly body?: unknown;
  readonly binary?: BinaryBody | undefined;
  readonly etag?: string | undefined;
  readonly location?: string | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

function dashboardUseOf(route: Pick<RouteSpec<undefined, undefined, undefined, ResponseSpecs, RouteAuth>, 'method' | 'dashboard'>): DashboardUse {
  if (route.dashboard !== undefined) return route.dashboard;
  return route.method === 'GET' || route.method === 'HEAD' ? 'read' : 'admin';
}

async function authenticate<A extends RouteAuth>(
  route: Pick<RouteSpec<undefined, undefined, undefined, ResponseSpecs, A>, 'auth' | 'method' | 'dashboard'>,
  request: HttpRequest,
  services: Services,
): Promise<PrincipalOf<A>> {
  const auth = route.auth;
  // The conditional type cannot be narrowed through `auth` by the compiler; each branch returns the matching principal.
  if (auth === 'apiKey') {
    const apiKey = request.headers.get('x-api-key');
    const dashboardProject = request.headers.get('x-project-id');
    // The dashboard: a signed-in user's /manage token on behalf of one of their organization's projects.
    if (apiKey === null && dashboardProject !== null) {
      const token = BEARER.exec(request.headers.get('authorization') ?? '')?.[1];
      const principal: ApiKeyPrincipal = await services.dashboardAccess.authenticate(token, dashboardProject, dashboardUseOf(route));
      return principal as PrincipalOf<A>;
    }
    const principal: ApiKeyPrincipal = await services.apiKeys.authenticate(apiKey ?? undefined);
    return principal as PrincipalOf<A>;
  }
  if (auth === 'manage') {
    const token = BEARER.exec(request.headers.get('authorization') ?? '')?.[1];
    const principal: ManagePrincipal = await services.manageAuthentication.authenticate(token);
    return principal as PrincipalOf<A>;
  }
  if (auth === 'session') {
    const token = BEARER.exec(request.headers.get('authorization') ?? '')?.[1];
    const claims: SessionTokenClaims = await services.sessionTokens.verify(token, new Date());
    return claims as PrincipalOf<A>;
  }
  return undefined as PrincipalOf<A>;
}

function serializeReply(spec: ResponseSpecs, reply: { status: number; body?: unknown }, routeName: string): string | undefined {
  const declared = spec[reply.status];
  if (declared === undefined) throw new Error(`route ${routeName} answered undeclared status ${reply.status}`);
  if (declared.schema === undefined) return undefined;
  // Output is parsed too: object schemas drop undeclared fields, so an internal field (a hash, a sealed secret)
  // that reaches a reply by mistake is never sent.
  const parsed = declared.schema.safeParse(reply.body);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new Error(`route ${routeName} produced a ${reply.status} body that does not match its schema (${fields})`);
  }
  return JSON.stringify(parsed.data);
}

function assertBinaryDeclared(spec: ResponseSpecs, status: number, contentType: string, routeName: string): void {
  const declared = spec[status]?.binary;
  if (declared === undefined || !declared.includes(contentType)) {
    throw new Error(`route ${routeName} answered ${status} with ${contentType}, which it does not declare`);
  }
}

/**
 * Adapts a route to an Azure Functions HTTP handler: authenticates, validates params, query and body at the edge,
 * calls the route's handler (one service call), and maps its reply, or any error, to the response. Every response
 * carries X-Request-Id (the invocation id) and X-Correlation-Id.
 */
export function httpHandler<
  P extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  B extends z.ZodType | undefined,
  R extends ResponseSpecs,
  A extends RouteAuth,
>(
  route: RouteSpec<P, Q, B, R, A>,
  handle: NoInfer<RouteHandler<P, Q, B, R, A>>,
  provideRuntime: HttpRuntimeProvider = defaultRuntimeProvider,
): HttpHandler {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const correlationId = correlationIdOf(request.headers, context.invocationId);
    const baseHeaders: Record<string, string> = {
      'X-Request-Id': context.invocationId,
      'X-Correlation-Id': correlationId,
      'Cache-Control': 'no-store',
    };
    try {
      const runtime = await provideRuntime();
      const principal = await authenticate(route, request, runtime.services);
      const input = {
        params: route.params === undefined ? undefined : parseInput(route.params, request.params, 'path'),
        query: route.query === undefined ? undefined : parseInput(route.query, queryObjectOf(request.query), 'query'),
        body:
          route.body === undefined
            ? undefined
            : parseInput(route.body, await readJsonBody(request, runtime.maxBodyBytes)),
        principal,
        ifMatch: request.headers.get('if-match') ?? undefined,
        services: runtime.services,
        request,
        context,
      } as RouteInput<P, Q, B, A>;
      const reply = (await handle(input)) as AnyReply;
      const headers: Record<string, string> = { ...baseHeaders, ...reply.headers };
      if (reply.etag !== undefined) headers.ETag = quoteEtag(reply.etag);
      if (reply.location !== undefined) headers.Location = reply.location;
      if (reply.binary !== undefined) {
        assertBinaryDeclared(route.responses, reply.status, reply.binary.contentType, route.name);
        headers['Content-Type'] = reply.binary.contentType;
        headers['X-Content-Type-Options'] = 'nosniff';
        if (reply.binary.contentLength !== undefined) headers['Content-Length'] = String(reply.binary.contentLength);
        return { status: reply.status, headers, body: reply.binary.data };
      }
      const body = serializeReply(route.responses, reply, route.name);
      if (body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
      return { status: reply.status, headers, body };
    } catch (error) {
      const { problem, headers, expected } = toProblem(error);
      if (!expected) {
        context.error('unhandled error', { route: route.name, requestId: context.invocationId, correlationId, error });
      }
      if (problem.status === 401 && (route.auth === 'manage' || route.auth === 'session' || request.headers.has('x-project-id'))) headers['WWW-Authenticate'] = 'Bearer';
      return {
        status: problem.status,
        headers: { ...baseHeaders, ...headers, 'Content-Type': PROBLEM_CONTENT_TYPE },
        body: JSON.stringify(problem),
      };
    }
  };
}

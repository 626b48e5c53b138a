import type { HttpMethod, HttpRequest, InvocationContext } from '@azure/functions';
import type { z } from 'zod';
import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { ManagePrincipal } from '../domain/identity.js';
import type { Services } from '../services/services.js';
import type { SessionTokenClaims } from '../services/session-tokens.js';
import { routeRegistry, type RouteRegistry } from './route-registry.js';

/**
 * How a route authenticates: `X-Api-Key` (public API), a `/manage` bearer token, a session token as a bearer token
 * (the session runtime calls), or not at all.
 */
export type RouteAuth = 'apiKey' | 'manage' | 'session' | 'none';

export interface ResponseSpec {
  readonly description: string;
  /** The body's schema; absent for responses without a body (204) and for binary ones. */
  readonly schema?: z.ZodType;
  /** A file sent as it is (an image), with one of these media types; the reply then carries `binary`. */
  readonly binary?: readonly string[];
}

/** A binary reply's body: streamed when it comes from storage, so large files never sit in memory whole. */
export interface BinaryBody {
  readonly contentType: string;
  readonly contentLength?: number | undefined;
  readonly data: AsyncIterable<Uint8Array> | Uint8Array;
}

export type ResponseSpecs = Readonly<Record<number, ResponseSpec>>;

export interface RouteSpec<
  P extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  B extends z.ZodType | undefined,
  R extends ResponseSpecs,
  A extends RouteAuth,
> {
  /** The function name: unique, and the OpenAPI operationId. */
  readonly name: string;
  readonly method: HttpMethod;
  /** Azure Functions route template without a leading slash, e.g. `manage/orgs/{orgId}`. */
  readonly route: string;
  readonly auth: A;
  /**
   * For `apiKey` routes, which the dashboard also calls with a `/manage` token and `X-Project-Id`: `playground` lets
   * organization members use a route that changes something (opening and ending Playground sessions). Members may
   * read (GET) unless the route says `admin` (billing); every other change is for admins.
   */
  readonly dashboard?: 'playground' | 'admin';
  readonly summary: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /**
   * For a route that reads its body itself (several media types, e.g. JSON or multipart): the accepted bodies by media
   * type, for the API description only. httpHandler parses only `body`.
   */
  readonly requestContent?: Readonly<Record<string, z.ZodType>>;
  readonly responses: R;
}

export type RouteDefinition<
  P extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  R extends ResponseSpecs = ResponseSpecs,
  A extends RouteAuth = RouteAuth,
> = RouteSpec<P, Q, B, R, A>;

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export type PrincipalOf<A extends RouteAuth> = A extends 'manage'
  ? ManagePrincipal
  : A extends 'apiKey'
    ? ApiKeyPrincipal
    : A extends 'session'
      ? SessionTokenClaims
      : undefined;

/** What a route's handler receives: validated input, the authenticated caller, and the services. */
export interface RouteInput<
  P extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  B extends z.ZodType | undefined,
  A extends RouteAuth,
> {
  readonly params: Parsed<P>;
  readonly query: Parsed<Q>;
  readonly body: Parsed<B>;
  readonly principal: PrincipalOf<A>;
  /** The raw If-Match header; services compare it with the current ETag (412 on mismatch). */
  readonly ifMatch: string | undefined;
  readonly services: Services;
  readonly request: HttpRequest;
  readonly context: InvocationContext;
}

interface ReplyHeaders {
  /** Sent as the ETag header, quoted. */
  readonly etag?: string | undefined;
  /** Sent as the Location header (creation answers 201 with it). */
  readonly location?: string | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** A handler's answer: one of the route's declared statuses, with a body of that status's schema. */
export type RouteReply<R extends ResponseSpecs> = {
  [S in keyof R & number]: R[S] extends { readonly schema: infer Z extends z.ZodType }
    ? { readonly status: S; readonly body: z.input<Z> } & ReplyHeaders
    : R[S] extends { readonly binary: readonly string[] }
      ? { readonly status: S; readonly binary: BinaryBody } & ReplyHeaders
      : { readonly status: S } & ReplyHeaders;
}[keyof R & number];

export type RouteHandler<
  P extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  B extends z.ZodType | undefined,
  R extends ResponseSpecs,
  A extends RouteAuth,
> = (input: RouteInput<P, Q, B, A>) => Promise<RouteReply<R>>;

/**
 * Declares an HTTP route with the schemas that validate it, and records it for `/openapi.json`: a route exists in
 * the API description exactly when it is defined here.
 */
export function defineRoute<
  R extends ResponseSpecs,
  A extends RouteAuth,
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(spec: RouteSpec<P, Q, B, R, A>, registry: RouteRegistry = routeRegistry): RouteSpec<P, Q, B, R, A> {
  registry.register(spec);
  return spec;
}

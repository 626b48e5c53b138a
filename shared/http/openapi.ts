import { z } from 'zod';
import type { RouteDefinition } from './route.js';
import type { RouteRegistry } from './route-registry.js';

type JsonSchema = Record<string, unknown>;

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

/** Requests are described as clients send them (before defaults and coercion), responses as the server sends them. */
function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  // OpenAPI 3.1 schema objects are JSON Schema 2020-12 already; the dialect is declared once for the document.
  delete generated.$schema;
  return generated;
}

/** Azure Functions templates (`{id}`, `{id?}`, `{*rest}`, `{id:int}`) to OpenAPI paths (`/{id}`). */
export function openApiPathOf(route: string): string {
  return `/${route.replace(/^\/+/, '')}`.replace(/\{\*?([A-Za-z0-9_]+)(?::[^}?]*)?\??\}/g, '{$1}');
}

function parametersOf(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonSchema[] {
  if (schema === undefined) return [];
  if (!(schema instanceof z.ZodObject)) {
    throw new Error(`${location} schemas must be objects so that each parameter can be described`);
  }
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const fieldSchema = jsonSchemaOf(field, 'input');
    const parameter: JsonSchema = {
      name,
      in: location,
      // A field that accepts undefined (optional or defaulted) is an optional parameter; path parameters never are.
      required: location === 'path' || !field.safeParse(undefined).success,
      schema: fieldSchema,
    };
    if (typeof fieldSchema.description === 'string') parameter.description = fieldSchema.description;
    if (fieldSchema.type === 'array') {
      parameter.style = 'form';
      parameter.explode = true;
    }
    return parameter;
  });
}

const SECURITY_OF: Record<RouteDefinition['auth'], JsonSchema[]> = {
  // Or, from the dashboard, a signed-in user's management token with the project in X-Project-Id.
  apiKey: [{ apiKey: [] }, { manageBearer: [], dashboardProject: [] }],
  manage: [{ manageBearer: [] }],
  session: [{ sessionBearer: [] }],
  none: [],
};

function operationOf(route: RouteDefinition): JsonSchema {
  const responses: JsonSchema = {};
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema === undefined
        ? {}
        : { content: { 'application/json': { schema: jsonSchemaOf(response.schema, 'output') } } }),
      // OpenAPI 3.1 describes a raw file by its media type alone.
      ...(response.binary === undefined ? {} : { content: Object.fromEntries(response.binary.map((type) => [type, {}])) }),
    };
  }
  const problem = { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  responses['4XX'] = { description: 'The request was refused; `code` says why.', ...problem };
  responses['5XX'] = { description: 'The service failed; quote X-Request-Id when reporting it.', ...problem };

  return {
    operationId: route.name,
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    ...(route.tags === undefined ? {} : { tags: [...route.tags] }),
    security: SECURITY_OF[route.auth],
    parameters: [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')],
    ...(route.body === undefined && route.requestContent !== undefined
      ? {
          requestBody: {
            required: true,
            content: Object.fromEntries(
              Object.entries(route.requestContent).map(([mediaType, schema]) => [mediaType, { schema: jsonSchemaOf(schema, 'input') }]),
            ),
          },
        }
      : {}),
    ...(route.body === undefined
      ? {}
      : {
          requestBody: {
            required: !route.body.safeParse(undefined).success,
            content: { 'application/json': { schema: jsonSchemaOf(route.body, 'input') } },
          },
        }),
    responses,
  };
}

const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'stable PascalCase error code' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

/** The OpenAPI 3.1 description of the given routes, generated from the same zod schemas that validate them. */
export function buildOpenApiDocument(routes: readonly RouteDefinition[], info: OpenApiInfo): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = openApiPathOf(route.route);
    const item = (paths[path] ??= {});
    item[route.method.toLowerCase()] = operationOf(route);
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info,
    paths,
    components: {
      schemas: { Problem: PROBLEM_SCHEMA },
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        manageBearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An Entra ID access token for the management API (locally: the dev admin token).',
        },
        dashboardProject: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Project-Id',
          description:
            'With a management bearer token instead of an API key (the dashboard): the project to act on. Organization ' +
            'members may read and open or end Playground sessions; other changes are for admins (403 AdminRoleRequired).',
        },
        sessionBearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The session token returned when the connection was opened; it authorizes that session only.',
        },
      },
    },
  };
}

const cache = new WeakMap<RouteRegistry, { version: number; document: JsonSchema }>();

/** The document for a registry, rebuilt only when routes were added since the last call. */
export function openApiDocumentFor(registry: RouteRegistry, info: OpenApiInfo): JsonSchema {
  const cached = cache.get(registry);
  if (cached?.version === registry.version) return cached.document;
  const document = buildOpenApiDocument(registry.all(), info);
  cache.set(registry, { version: registry.version, document });
  return document;
}

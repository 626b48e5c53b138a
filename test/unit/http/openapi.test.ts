import { describe, expect, it } from 'vitest';
import '../../../functions/index.js';
import { buildOpenApiDocument, openApiPathOf } from '../../../shared/http/openapi.js';
import { routeRegistry } from '../../../shared/http/route-registry.js';

type Json = Record<string, unknown>;
const document = buildOpenApiDocument(routeRegistry.all(), { title: 'Companion API', version: 'test' }) as Json & {
  paths: Record<string, Record<string, Json>>;
};

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and describes every defined route', () => {
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations).toEqual(
      expect.arrayContaining([
        'GET /health',
        'GET /openapi.json',
        'GET /manage/me',
        'GET /manage/orgs',
        'GET /manage/orgs/{orgId}',
        'PATCH /manage/orgs/{orgId}',
        'GET /manage/orgs/{orgId}/projects',
        'POST /manage/orgs/{orgId}/projects',
        'GET /manage/orgs/{orgId}/projects/{projectId}',
        'PATCH /manage/orgs/{orgId}/projects/{projectId}',
        'DELETE /manage/orgs/{orgId}/projects/{projectId}',
        'GET /manage/orgs/{orgId}/members',
        'POST /manage/orgs/{orgId}/members',
        'GET /manage/orgs/{orgId}/members/{memberId}',
        'PATCH /manage/orgs/{orgId}/members/{memberId}',
        'DELETE /manage/orgs/{orgId}/members/{memberId}',
        'POST /manage/projects/{projectId}/api-keys',
        'GET /manage/projects/{projectId}/api-keys',
        'GET /manage/projects/{projectId}/api-keys/{keyId}',
        'DELETE /manage/projects/{projectId}/api-keys/{keyId}',
        'GET /public/project',
        'GET /manage/orgs/{orgId}/digital-twin-consent',
        'PUT /manage/orgs/{orgId}/digital-twin-consent',
        'DELETE /manage/orgs/{orgId}/digital-twin-consent',
        'GET /public/companions',
        'POST /public/companions',
        'GET /public/companions/{id}',
        'PATCH /public/companions/{id}',
        'DELETE /public/companions/{id}',
        'GET /public/companions/ethnicities',
        'GET /public/companions/stock',
        'GET /public/voices',
        'POST /public/digital-twins',
      ]),
    );
    expect(operations).toHaveLength(routeRegistry.all().length);
  });

  it('describes request bodies from the validating schemas, including closed objects and the LLM union', () => {
    const create = document.paths['/manage/projects/{projectId}/api-keys']!.post as Json & {
      requestBody: { required: boolean; content: Record<string, { schema: Json & { properties: Record<string, Json> } }> };
    };
    const schema = create.requestBody.content['application/json']!.schema;
    expect(create.requestBody.required).toBe(true);
    expect(schema.required).toEqual(['name', 'llm']);
    expect(schema.additionalProperties).toBe(false);
    expect(JSON.stringify(schema.properties.llm)).toContain('"custom"');
    expect(JSON.stringify(schema.properties.llm)).toContain('useManagedIdentity');
  });

  it('describes path and query parameters, with paging defaults and limits', () => {
    const list = document.paths['/manage/orgs/{orgId}/projects']!.get as Json & { parameters: Json[] };
    expect(list.parameters).toEqual([
      expect.objectContaining({ name: 'orgId', in: 'path', required: true }),
      expect.objectContaining({ name: 'pageIndex', in: 'query', required: false }),
      expect.objectContaining({ name: 'pageSize', in: 'query', required: false, schema: expect.objectContaining({ maximum: 100, default: 20 }) }),
    ]);
  });

  it('describes responses, problem responses and security per route', () => {
    const me = document.paths['/manage/me']!.get as Json & { responses: Record<string, Json>; security: unknown };
    expect(me.security).toEqual([{ manageBearer: [] }]);
    expect(JSON.stringify(me.responses['200'])).toContain('memberships');
    expect(me.responses['4XX']).toMatchObject({ content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
    const project = document.paths['/public/project']!.get as Json;
    expect(project.security).toEqual([{ apiKey: [] }, { manageBearer: [], dashboardProject: [] }]);
    const created = document.paths['/manage/projects/{projectId}/api-keys']!.post as Json & { responses: Record<string, Json> };
    expect(JSON.stringify(created.responses['201'])).toContain('secret');
    const listed = document.paths['/manage/projects/{projectId}/api-keys']!.get as Json & { responses: Record<string, Json> };
    expect(JSON.stringify(listed.responses['200'])).not.toContain('secretHash');
  });

  it('describes the companion list filters and the digital twin body as the seed defines it', () => {
    const list = document.paths['/public/companions']!.get as Json & { parameters: Json[]; summary: string };
    expect(list.parameters.map((p) => p.name)).toEqual(['pageIndex', 'pageSize', 'personaType', 'statuses', 'gender', 'ethnicity', 'search', 'tags']);
    expect(list.summary).toContain('tags=key:value');
    const twin = document.paths['/public/digital-twins']!.post as Json & {
      requestBody: { content: Record<string, { schema: Json & { properties: Record<string, Json> } }> };
    };
    const schema = twin.requestBody.content['application/json']!.schema;
    // voiceUrl, like the likeness, may instead be declared in `uploads` and uploaded; the service requires one or the other.
    expect(schema.required).toEqual(['firstName', 'lastName', 'description', 'gender', 'ethnicity', 'externalClientId']);
    expect(schema.properties['uploads']).toMatchObject({ type: 'array', items: { enum: ['picture', 'video', 'voice'] } });
    expect(schema.additionalProperties).toBe(false);
    const got = document.paths['/public/companions/{id}']!.get as Json & { responses: Record<string, Json> };
    expect(JSON.stringify(got.responses['200'])).not.toContain('blobPath');
  });

  it('turns Functions route templates into OpenAPI paths', () => {
    expect(openApiPathOf('a/{id}')).toBe('/a/{id}');
    expect(openApiPathOf('a/{id?}')).toBe('/a/{id}');
    expect(openApiPathOf('a/{*rest}')).toBe('/a/{rest}');
    expect(openApiPathOf('a/{n:int}')).toBe('/a/{n}');
  });
});

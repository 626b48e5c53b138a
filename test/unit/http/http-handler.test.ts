import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { httpHandler } from '../../../shared/http/http-handler.js';
import { pageQuerySchema, pageResponseSchema } from '../../../shared/http/pagination.js';
import { defineRoute } from '../../../shared/http/route.js';
import { RouteRegistry } from '../../../shared/http/route-registry.js';
import { createApiKeyBody, createdApiKeyResponse, projectPathParams } from '../../../shared/http/schemas/api-key.js';
import { orgProjectPathParams, projectResponse, updateProjectBody } from '../../../shared/http/schemas/project.js';
import { createTestWorld, seedOrganization, type TestWorld } from '../fakes/test-services.js';

const DEV_TOKEN = 'dev-admin-token-0123456789abcdef';
const MAX_BODY = 2048;

interface Call {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  params?: Record<string, string>;
  query?: string;
}

function request(call: Call): HttpRequest {
  return new HttpRequest({
    method: call.method ?? 'GET',
    url: `http://localhost:7071/${call.path ?? 'x'}${call.query === undefined ? '' : `?${call.query}`}`,
    headers: call.headers ?? {},
    params: call.params ?? {},
    ...(call.body === undefined ? {} : { body: { string: call.body } }),
  });
}

async function invoke(handler: ReturnType<typeof httpHandler>, call: Call, invocationId = 'inv-1') {
  const context = new InvocationContext({ invocationId, functionName: 'test' });
  const logged: unknown[][] = [];
  context.error = (...args: unknown[]) => logged.push(args);
  const response = (await handler(request(call), context)) as HttpResponseInit;
  const headers = new Headers(response.headers as Record<string, string>);
  const text = typeof response.body === 'string' ? response.body : undefined;
  return { status: response.status, headers, json: text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>), logged };
}

function fixture(world: TestWorld) {
  const registry = new RouteRegistry();
  const provide = async () => ({ services: world.services, maxBodyBytes: MAX_BODY });

  const createKey = defineRoute(
    {
      name: 'create-key',
      method: 'POST',
      route: 'manage/projects/{projectId}/api-keys',
      auth: 'manage',
      summary: 's',
      params: projectPathParams,
      body: createApiKeyBody,
      responses: { 201: { description: 'd', schema: createdApiKeyResponse } },
    },
    registry,
  );
  const updateProject = defineRoute(
    {
      name: 'update-project',
      method: 'PATCH',
      route: 'manage/orgs/{orgId}/projects/{projectId}',
      auth: 'manage',
      summary: 's',
      params: orgProjectPathParams,
      body: updateProjectBody,
      responses: { 200: { description: 'd', schema: projectResponse } },
    },
    registry,
  );
  const deleteProject = defineRoute(
    {
      name: 'delete-project',
      method: 'DELETE',
      route: 'manage/orgs/{orgId}/projects/{projectId}',
      auth: 'manage',
      summary: 's',
      params: orgProjectPathParams,
      responses: { 204: { description: 'd' } },
    },
    registry,
  );
  const listProjects = defineRoute(
    {
      name: 'list-projects',
      method: 'GET',
      route: 'manage/orgs/{orgId}/projects',
      auth: 'manage',
      summary: 's',
      params: z.strictObject({ orgId: z.string() }),
      query: pageQuerySchema,
      responses: { 200: { description: 'd', schema: pageResponseSchema(projectResponse) } },
    },
    registry,
  );
  const keyProject = defineRoute(
    {
      name: 'key-project',
      method: 'GET',
      route: 'public/project',
      auth: 'apiKey',
      summary: 's',
      responses: { 200: { description: 'd', schema: z.object({ projectId: z.string() }) } },
    },
    registry,
  );
  const broken = defineRoute(
    { name: 'broken', method: 'GET', route: 'broken', auth: 'none', summary: 's', responses: { 204: { description: 'd' } } },
    registry,
  );

  return {
    createKey: httpHandler(createKey, async ({ principal, params, body, services }) => {
      const { apiKey, secret } = await services.apiKeys.create(principal, params.projectId, body);
      return { status: 201, body: { ...apiKey, secret }, location: `/manage/projects/${apiKey.projectId}/api-keys/${apiKey.id}` };
    }, provide),
    updateProject: httpHandler(updateProject, async ({ principal, params, body, ifMatch, services }) => {
      const project = await services.projects.update(principal, params.orgId, params.projectId, body, ifMatch);
      return { status: 200, body: project, etag: project.etag };
    }, provide),
    deleteProject: httpHandler(deleteProject, async ({ principal, params, ifMatch, services }) => {
      await services.projects.delete(principal, params.orgId, params.projectId, ifMatch);
      return { status: 204 };
    }, provide),
    listProjects: httpHandler(listProjects, async ({ principal, params, query, services }) => ({
      status: 200,
      body: await services.projects.list(principal, params.orgId, query),
    }), provide),
    keyProject: httpHandler(keyProject, async ({ principal }) => ({ status: 200, body: { projectId: principal.projectId } }), provide),
    broken: httpHandler(broken, async () => {
      throw new Error('connection string AccountKey=abc123 leaked');
    }, provide),
  };
}

async function setup() {
  const world = createTestWorld({ devAdminToken: DEV_TOKEN });
  await world.services.bootstrap.ensureLocalBootstrap({ devAdminUserId: 'dev-admin', apiKeySecret: 'bootstrap-secret-0123456789' });
  const seeded = await seedOrganization(world);
  await world.services.members.add(seeded.admin, seeded.org.id, { userId: 'dev-admin', role: 'admin' });
  return { world, seeded, handlers: fixture(world) };
}

const admin = { authorization: `Bearer ${DEV_TOKEN}` };
const json = { 'content-type': 'application/json' };
const hosted = JSON.stringify({ name: 'k', llm: { hosting: 'hosted' } });

describe('HTTP handler', () => {
  it('answers a creation with 201, a Location header and the secret, never the hash', async () => {
    const { seeded, handlers } = await setup();
    const res = await invoke(handlers.createKey, {
      method: 'POST',
      headers: { ...admin, ...json },
      params: { projectId: seeded.project.id },
      body: hosted,
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/manage/projects/${seeded.project.id}/api-keys/${String(res.json!.id)}`);
    expect(res.json!.secret).toMatch(/^cmp_/);
    expect(res.json).not.toHaveProperty('secretHash');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 401 Unauthorized with WWW-Authenticate when the bearer token is missing or wrong', async () => {
    const { seeded, handlers } = await setup();
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer nope-nope-nope-nope-nope' }, { authorization: DEV_TOKEN }];
    for (const headers of attempts) {
      const res = await invoke(handlers.createKey, { method: 'POST', headers: { ...headers, ...json }, params: { projectId: seeded.project.id }, body: hosted });
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ code: 'Unauthorized', status: 401 });
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('answers 401 InvalidApiKey for a missing or unknown X-Api-Key, and resolves a valid one', async () => {
    const { handlers } = await setup();
    expect((await invoke(handlers.keyProject, {})).json).toMatchObject({ status: 401, code: 'InvalidApiKey' });
    expect((await invoke(handlers.keyProject, { headers: { 'x-api-key': 'cmp_unknownunknownunknownunknown' } })).json).toMatchObject({
      code: 'InvalidApiKey',
    });
    const ok = await invoke(handlers.keyProject, { headers: { 'x-api-key': 'bootstrap-secret-0123456789' } });
    expect(ok).toMatchObject({ status: 200, json: { projectId: 'proj_local' } });
  });

  it('answers 400 MalformedJson for a body that is not JSON', async () => {
    const { seeded, handlers } = await setup();
    const res = await invoke(handlers.createKey, {
      method: 'POST',
      headers: { ...admin, ...json },
      params: { projectId: seeded.project.id },
      body: '{"name": "k",',
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'MalformedJson', type: 'urn:companion:problem:MalformedJson' });
  });

  it('answers 413 PayloadTooLarge when Content-Length exceeds the limit, and when the streamed body does', async () => {
    const { seeded, handlers } = await setup();
    const big = JSON.stringify({ name: 'x'.repeat(MAX_BODY), llm: { hosting: 'hosted' } });
    const declared = await invoke(handlers.createKey, {
      method: 'POST',
      headers: { ...admin, ...json, 'content-length': String(big.length) },
      params: { projectId: seeded.project.id },
      body: big,
    });
    expect(declared.status).toBe(413);
    expect(declared.json).toMatchObject({ code: 'PayloadTooLarge' });
    const streamed = await invoke(handlers.createKey, { method: 'POST', headers: { ...admin, ...json }, params: { projectId: seeded.project.id }, body: big });
    expect(streamed.status).toBe(413);
  });

  it('answers 415 UnsupportedMediaType for a body that is not declared as JSON', async () => {
    const { seeded, handlers } = await setup();
    const res = await invoke(handlers.createKey, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'text/plain' },
      params: { projectId: seeded.project.id },
      body: hosted,
    });
    expect(res.status).toBe(415);
    expect(res.json).toMatchObject({ code: 'UnsupportedMediaType' });
  });

  it('accepts application/json with a charset and vendor +json types', async () => {
    const { seeded, handlers } = await setup();
    for (const contentType of ['application/json; charset=utf-8', 'application/merge-patch+json']) {
      const res = await invoke(handlers.createKey, {
        method: 'POST',
        headers: { ...admin, 'content-type': contentType },
        params: { projectId: seeded.project.id },
        body: hosted,
      });
      expect(res.status).toBe(201);
    }
  });

  it('answers 400 ValidationFailed listing every unknown field and every invalid value', async () => {
    const { seeded, handlers } = await setup();
    const res = await invoke(handlers.createKey, {
      method: 'POST',
      headers: { ...admin, ...json },
      params: { projectId: seeded.project.id },
      body: JSON.stringify({
        name: '',
        colour: 'red',
        llm: { hosting: 'custom', endpoint: 'ftp://contoso.example', deployment: 'gpt', useManagedIdentity: true, extra: 1 },
      }),
    });
    expect(res.status).toBe(400);
    expect(res.json!.code).toBe('ValidationFailed');
    const paths = (res.json!.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['colour', 'llm.endpoint', 'llm.extra', 'name']);
  });

  it('refuses a customer-hosted LLM without a credential', async () => {
    const { seeded, handlers } = await setup();
    const res = await invoke(handlers.createKey, {
      method: 'POST',
      headers: { ...admin, ...json },
      params: { projectId: seeded.project.id },
      body: JSON.stringify({ name: 'k', llm: { hosting: 'custom', endpoint: 'https://contoso.openai.azure.com', deployment: 'gpt' } }),
    });
    expect(res.status).toBe(400);
    expect(res.json!.errors).toEqual([{ path: 'llm.apiKey', message: 'a customer-hosted LLM needs apiKey or useManagedIdentity: true' }]);
  });

  it('reports invalid path and query parameters under path. and query.', async () => {
    const { seeded, handlers } = await setup();
    const res = await invoke(handlers.listProjects, {
      headers: admin,
      params: { orgId: seeded.org.id },
      query: 'pageSize=101&pageIndex=-1&sort=name',
    });
    expect(res.status).toBe(400);
    expect((res.json!.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(['query.pageIndex', 'query.pageSize', 'query.sort']);
  });

  it('sends the ETag header and answers 412 PreconditionFailed when If-Match names an old version', async () => {
    const { seeded, handlers } = await setup();
    const params = { orgId: seeded.org.id, projectId: seeded.project.id };
    const first = await invoke(handlers.updateProject, { method: 'PATCH', headers: { ...admin, ...json }, params, body: '{"name":"A"}' });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    expect(first.json!.etag).toBe(etag);

    const second = await invoke(handlers.updateProject, { method: 'PATCH', headers: { ...admin, ...json, 'if-match': etag }, params, body: '{"name":"B"}' });
    expect(second.status).toBe(200);
    const stale = await invoke(handlers.updateProject, { method: 'PATCH', headers: { ...admin, ...json, 'if-match': etag }, params, body: '{"name":"C"}' });
    expect(stale.status).toBe(412);
    expect(stale.json).toMatchObject({ code: 'PreconditionFailed' });
    const staleDelete = await invoke(handlers.deleteProject, { method: 'DELETE', headers: { ...admin, 'if-match': etag }, params });
    expect(staleDelete.status).toBe(412);
    const deleted = await invoke(handlers.deleteProject, { method: 'DELETE', headers: { ...admin, 'if-match': second.headers.get('etag')! }, params });
    expect(deleted.status).toBe(204);
    expect(deleted.json).toBeUndefined();
  });

  it('pages lists as {items, filteredCount, totalCount, pageIndex, pageSize} with default page size 20', async () => {
    const { world, seeded, handlers } = await setup();
    for (let i = 0; i < 24; i += 1) {
      world.clock.advance(1000);
      await world.services.projects.create(seeded.admin, seeded.org.id, { name: `P${i}` });
    }
    const first = await invoke(handlers.listProjects, { headers: admin, params: { orgId: seeded.org.id } });
    expect(first.json).toMatchObject({ filteredCount: 25, totalCount: 25, pageIndex: 0, pageSize: 20 });
    expect(first.json!.items).toHaveLength(20);
    const second = await invoke(handlers.listProjects, { headers: admin, params: { orgId: seeded.org.id }, query: 'pageIndex=1&pageSize=20' });
    expect(second.json!.items).toHaveLength(5);
  });

  it('answers an unexpected error with a generic 500 Internal and logs the real error with the request id', async () => {
    const { handlers } = await setup();
    const res = await invoke(handlers.broken, {}, 'inv-42');
    expect(res.status).toBe(500);
    expect(res.json).toEqual({
      type: 'urn:companion:problem:Internal',
      title: 'Internal server error',
      status: 500,
      detail: expect.any(String),
      code: 'Internal',
    });
    expect(JSON.stringify(res.json)).not.toContain('AccountKey');
    expect(res.headers.get('x-request-id')).toBe('inv-42');
    expect(res.logged).toHaveLength(1);
    expect(JSON.stringify(res.logged[0]![1], (_k, v: unknown) => (v instanceof Error ? v.message : v))).toContain('inv-42');
  });

  it('echoes a safe x-correlation-id, else the traceparent trace id, else the invocation id', async () => {
    const { handlers } = await setup();
    const own = await invoke(handlers.keyProject, { headers: { 'x-correlation-id': 'order-123' } }, 'inv-a');
    expect(own.headers.get('x-correlation-id')).toBe('order-123');
    expect(own.headers.get('x-request-id')).toBe('inv-a');
    const traced = await invoke(handlers.keyProject, {
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'x-correlation-id': 'bad value with spaces' },
    });
    expect(traced.headers.get('x-correlation-id')).toBe('0af7651916cd43dd8448eb211c80319c');
    const plain = await invoke(handlers.keyProject, {}, 'inv-b');
    expect(plain.headers.get('x-correlation-id')).toBe('inv-b');
  });
});

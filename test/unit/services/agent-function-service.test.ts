import { describe, expect, it } from 'vitest';
import type { FunctionDefinitionInput } from '../../../shared/domain/agent-function.js';
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from '../../../shared/domain/errors.js';
import { UrlNotAllowedError } from '../../../shared/domain/outbound.js';
import { keyOf } from '../fakes/api-key-principals.js';
import { storedCompanion } from '../fakes/agent-fixtures.js';
import { createTestWorld, seedOrganization } from '../fakes/test-services.js';

const page = { pageIndex: 0, pageSize: 20 };

const weather: FunctionDefinitionInput = {
  data: {
    name: 'get_weather',
    description: 'The current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
  flow: 'implicit',
  prompt: 'Call it when the user asks about the weather.',
};

const booking: FunctionDefinitionInput = {
  data: { name: 'book_meeting', parameters: { type: 'object', properties: { when: { type: 'string', format: 'date-time' } } } },
  flow: 'explicit',
  url: 'https://tools.example.com/book',
  headers: { Authorization: 'Bearer tool-secret-123', 'X-Tenant': 'acme' },
  timeoutMs: 5000,
};

async function seeded() {
  const world = createTestWorld();
  const seed = await seedOrganization(world);
  const other = await seedOrganization(world, 'Globex');
  return { world, project: seed.project, key: keyOf(seed.project), otherKey: keyOf(other.project) };
}

async function problemsOf(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).problems;
}

describe('functions', () => {
  it('when a function is created, it gets an fn_ id and the 10 s default timeout, and only its project sees it', async () => {
    const { world, key, otherKey } = await seeded();
    const fn = await world.services.agentFunctions.create(key, weather);
    expect(fn).toMatchObject({
      id: expect.stringMatching(/^fn_/),
      data: weather.data,
      flow: 'implicit',
      headerNames: [],
      prompt: 'Call it when the user asks about the weather.',
      timeoutMs: 10_000,
      created: '2025-01-01T00:00:00.000Z',
    });
    expect(fn.url).toBeUndefined();
    expect((await world.services.agentFunctions.list(key, page)).items.map((f) => f.id)).toEqual([fn.id]);
    expect((await world.services.agentFunctions.list(otherKey, page)).totalCount).toBe(0);
    await expect(world.services.agentFunctions.get(otherKey, fn.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.agentFunctions.replace(otherKey, fn.id, weather, undefined)).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.agentFunctions.delete(otherKey, fn.id, undefined)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('when parameters are not a valid JSON Schema, creation fails naming the place in data.parameters', async () => {
    const { world, key } = await seeded();
    const withParameters = (parameters: Record<string, unknown>): FunctionDefinitionInput => ({ ...weather, data: { ...weather.data, parameters } });
    const create = (parameters: Record<string, unknown>) => problemsOf(world.services.agentFunctions.create(key, withParameters(parameters)));

    expect(await create({ type: 'nonsense' })).toEqual([{ path: 'data.parameters.type', message: expect.stringContaining('must be') }]);
    expect(await create({ type: 'string' })).toEqual([{ path: 'data.parameters.type', message: expect.stringContaining('"object"') }]);
    expect(await create({ type: 'object', properties: { n: { type: 'integer', minimum: 'one' } } })).toEqual([
      { path: 'data.parameters.properties.n.minimum', message: 'must be number' },
    ]);
    expect(await create({ type: 'object', properties: { a: { $ref: '#/$defs/missing' } } })).toEqual([
      { path: 'data.parameters', message: expect.stringContaining('$ref') },
    ]);
    expect(await create({ type: 'object', properties: { a: { type: 'string', pattern: '(' } } })).toEqual([
      { path: 'data.parameters', message: expect.stringContaining('regular expression') },
    ]);
    expect(await create({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' })).toEqual([
      { path: 'data.parameters.$schema', message: expect.stringContaining('2020-12') },
    ]);
    expect(world.functionNameClaims.table.rows.size).toBe(0);

    const rich = await world.services.agentFunctions.create(
      key,
      withParameters({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: { address: { $ref: '#/$defs/address' }, email: { type: 'string', format: 'email' } },
        $defs: { address: { type: 'object', properties: { city: { type: 'string', 'x-order': 1 } } } },
        additionalProperties: false,
      }),
    );
    expect(rich.data.parameters).toMatchObject({ $defs: { address: { type: 'object' } } });
  });

  it('an explicit function needs an https:// or wss:// url; an implicit one takes neither url nor headers', async () => {
    const { world, key } = await seeded();
    const { url: _url, ...withoutUrl } = booking;
    expect(await problemsOf(world.services.agentFunctions.create(key, withoutUrl))).toEqual([
      { path: 'url', message: 'is required for an explicit function' },
    ]);
    expect(await problemsOf(world.services.agentFunctions.create(key, { ...booking, url: 'http://tools.example.com/book' }))).toEqual([
      { path: 'url', message: 'must be an https:// or wss:// URL' },
    ]);
    expect(await problemsOf(world.services.agentFunctions.create(key, { ...weather, url: 'https://tools.example.com/x', headers: { 'X-A': '1' } }))).toEqual([
      { path: 'url', message: expect.stringContaining('explicit functions only') },
      { path: 'headers', message: expect.stringContaining('explicit functions only') },
    ]);
    expect(
      await problemsOf(world.services.agentFunctions.create(key, { ...booking, headers: { Host: 'evil', 'X-Webhook-Signature': 'v1=0', 'x-a': '1', 'X-A': '2' } })),
    ).toEqual([
      { path: 'headers.Host', message: 'is set by the platform and cannot be configured' },
      { path: 'headers.X-Webhook-Signature', message: 'is set by the platform and cannot be configured' },
      { path: 'headers.X-A', message: expect.stringContaining('twice') },
    ]);
    expect(await problemsOf(world.services.agentFunctions.create(key, { ...weather, data: { name: 'search_knowledge' } }))).toEqual([
      { path: 'data.name', message: 'is reserved for a built-in tool' },
    ]);

    const socket = await world.services.agentFunctions.create(key, { ...booking, data: { name: 'live_quote' }, url: 'wss://tools.example.com/quotes' });
    expect(socket).toMatchObject({ flow: 'explicit', url: 'wss://tools.example.com/quotes', timeoutMs: 5000 });
  });

  it('when the endpoint is on a private, loopback or metadata address, creation fails with UrlNotAllowed', async () => {
    const { world, key } = await seeded();
    for (const url of ['https://10.1.2.3/hook', 'wss://127.0.0.1:8443/ws', 'https://169.254.169.254/latest', 'https://localhost/x']) {
      const error = await world.services.agentFunctions.create(key, { ...booking, url }).catch((e: unknown) => e);
      expect(error, url).toBeInstanceOf(UrlNotAllowedError);
      expect((error as UrlNotAllowedError).message).toContain('(url)');
    }
    expect((await world.services.agentFunctions.list(key, page)).totalCount).toBe(0);
  });

  it('headers are sealed at rest and shown only by name; a PUT without them leaves the function without headers', async () => {
    const { world, key, project } = await seeded();
    const fn = await world.services.agentFunctions.create(key, booking);
    expect(fn.headerNames).toEqual(['Authorization', 'X-Tenant']);
    expect(JSON.stringify(fn)).not.toContain('tool-secret-123');

    const stored = await world.agentFunctions.get(project.id, fn.id);
    expect(stored?.sealedHeaders).toBeDefined();
    expect(JSON.stringify(stored)).not.toContain('tool-secret-123');
    expect(await world.services.agentFunctions.headersOf(stored!)).toEqual(booking.headers);

    const { headers: _headers, ...withoutHeaders } = booking;
    const replaced = await world.services.agentFunctions.replace(key, fn.id, withoutHeaders, fn.etag);
    expect(replaced.headerNames).toEqual([]);
    expect((await world.agentFunctions.get(project.id, fn.id))?.sealedHeaders).toBeUndefined();
    expect(world.logger.lines).toEqual([]);
  });

  it('names are unique in a project: a second function of the same name, or a rename to it, fails with FunctionNameTaken', async () => {
    const { world, key, otherKey } = await seeded();
    const first = await world.services.agentFunctions.create(key, weather);
    await expect(world.services.agentFunctions.create(key, { ...booking, data: { name: 'get_weather' } })).rejects.toMatchObject({
      code: 'FunctionNameTaken',
    });
    expect((await world.services.agentFunctions.create(otherKey, weather)).data.name).toBe('get_weather');

    const second = await world.services.agentFunctions.create(key, booking);
    await expect(world.services.agentFunctions.replace(key, second.id, { ...booking, data: { name: 'get_weather' } }, undefined)).rejects.toMatchObject({
      code: 'FunctionNameTaken',
    });
    expect((await world.services.agentFunctions.get(key, second.id)).data.name).toBe('book_meeting');

    const racing = await Promise.allSettled([
      world.services.agentFunctions.create(key, { ...weather, data: { name: 'racer' } }),
      world.services.agentFunctions.create(key, { ...weather, data: { name: 'racer' } }),
    ]);
    expect(racing.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(racing.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'FunctionNameTaken' } });
    expect(first.data.name).toBe('get_weather');
  });

  it('a rename frees the old name, a deletion frees the name, and a failed creation does not keep it', async () => {
    const { world, key } = await seeded();
    const fn = await world.services.agentFunctions.create(key, weather);
    const renamed = await world.services.agentFunctions.replace(key, fn.id, { ...weather, data: { ...weather.data, name: 'get_forecast' } }, fn.etag);
    expect(renamed.data.name).toBe('get_forecast');
    expect((await world.services.agentFunctions.create(key, weather)).data.name).toBe('get_weather');

    await world.services.agentFunctions.delete(key, fn.id, renamed.etag);
    expect((await world.services.agentFunctions.create(key, { ...weather, data: { name: 'get_forecast' } })).data.name).toBe('get_forecast');

    world.agentFunctions.beforeNextCreate = () => {
      throw new Error('store unavailable');
    };
    await expect(world.services.agentFunctions.create(key, { ...weather, data: { name: 'flaky' } })).rejects.toThrow('store unavailable');
    expect((await world.services.agentFunctions.create(key, { ...weather, data: { name: 'flaky' } })).data.name).toBe('flaky');
  });

  it('a claim left behind by a creation that died half-way is taken over once it is old, never while it is young', async () => {
    const { world, key, project } = await seeded();
    await world.functionNameClaims.create({ projectId: project.id, name: 'orphan', functionId: 'fn_neverwritten', createdAt: world.clock.now().toISOString() });
    await expect(world.services.agentFunctions.create(key, { ...weather, data: { name: 'orphan' } })).rejects.toBeInstanceOf(ConflictError);
    world.clock.advance(61_000);
    const fn = await world.services.agentFunctions.create(key, { ...weather, data: { name: 'orphan' } });
    expect((await world.functionNameClaims.get(project.id, 'orphan'))?.functionId).toBe(fn.id);
  });

  it('when If-Match names an older version, PUT and DELETE fail with 412 and change nothing', async () => {
    const { world, key } = await seeded();
    const fn = await world.services.agentFunctions.create(key, weather);
    const changed = await world.services.agentFunctions.replace(key, fn.id, { ...weather, prompt: 'Only for cities.' }, fn.etag);
    await expect(world.services.agentFunctions.replace(key, fn.id, weather, fn.etag)).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(world.services.agentFunctions.delete(key, fn.id, fn.etag)).rejects.toBeInstanceOf(PreconditionFailedError);
    expect((await world.services.agentFunctions.get(key, fn.id)).prompt).toBe('Only for cities.');
    await world.services.agentFunctions.delete(key, fn.id, `"${changed.etag}"`);
    await expect(world.services.agentFunctions.get(key, fn.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('when an agent uses the function, deleting it fails with FunctionInUse naming the agent, until the agent drops it', async () => {
    const { world, key, project } = await seeded();
    const fn = await world.services.agentFunctions.create(key, weather);
    const companion = await storedCompanion(world, project);
    const agent = await world.services.agents.create(key, { companionId: companion.id, name: 'Helper', voiceId: 'alloy', functions: [fn.id] });

    const error = await world.services.agentFunctions.delete(key, fn.id, undefined).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'FunctionInUse' });
    expect((error as Error).message).toContain(agent.id);
    expect((await world.services.agentFunctions.get(key, fn.id)).id).toBe(fn.id);

    await world.services.agents.update(key, agent.id, { functions: [] }, undefined);
    await world.services.agentFunctions.delete(key, fn.id, undefined);
    await expect(world.services.agentFunctions.get(key, fn.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});

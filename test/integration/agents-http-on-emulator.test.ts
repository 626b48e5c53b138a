import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CosmosAgentSlotRepository } from '../../shared/adapters/cosmos/agent-slot-repository.js';
import { CosmosCompanionRepository } from '../../shared/adapters/cosmos/companion-repository.js';
import { CountedContainer } from '../../shared/adapters/cosmos/counted-container.js';
import { MAX_AGENTS_PER_ORGANIZATION } from '../../shared/domain/agent.js';
import type { Companion } from '../../shared/domain/companion.js';
import { newId } from '../../shared/domain/ids.js';
import { STOCK_COMPANIONS } from '../../shared/domain/stock-companions.js';
import type { Runtime } from '../../shared/runtime.js';
import { call, createOtherProjectKey, type Json } from './helpers/http-harness.js';
import { bootstrappedRuntime, releaseRuntime } from './helpers/test-runtime.js';

vi.mock('@azure/functions', async (importOriginal) =>
  (await import('./helpers/function-registrations.js')).capturingFunctionsModule(await importOriginal()),
);

const DEV_TOKEN = 'dev-admin-token-agents-0123456789abcdef';
const BOOTSTRAP_SECRET = 'bootstrap-secret-agents-0123456789abcdef';
const PROJECT = 'proj_local';
const ORG = 'org_local';
/** A public address literal: the endpoint check passes without DNS, which these machines may not have. */
const TOOL_HOST = 'https://93.184.215.14';

let runtime: Runtime;
let otherProjectKey: string;
let companions: CosmosCompanionRepository;

const asAdmin = { authorization: `Bearer ${DEV_TOKEN}` };
const key = (secret = BOOTSTRAP_SECRET) => ({ 'x-api-key': secret });
const stock = STOCK_COMPANIONS[0]!;

const weather = {
  data: { name: 'get_weather', description: 'The weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
  flow: 'implicit',
  prompt: 'Use it for weather questions.',
};

/** A companion of the bootstrap project as generation leaves it, written straight to the store. */
async function storedCompanion(overrides: Partial<Companion> = {}): Promise<Companion> {
  const now = new Date().toISOString();
  return companions.create({
    id: newId('comp'),
    projectId: PROJECT,
    orgId: ORG,
    personaType: 'companion',
    firstName: 'Ava',
    lastName: 'Bennett',
    description: 'A patient support specialist.',
    headline: '',
    version: 'v1',
    tags: {},
    status: 'readyToUse',
    avatar: { views: {} },
    media: {},
    created: now,
    updated: now,
    ...overrides,
  });
}

async function createFunction(body: unknown, secret?: string) {
  return call('public-function-create', { headers: key(secret), body });
}

beforeAll(async () => {
  ({ runtime } = await bootstrappedRuntime('agents-http', { apiKeySecret: BOOTSTRAP_SECRET, settings: { COMPANION_DEV_ADMIN_TOKEN: DEV_TOKEN } }));
  companions = new CosmosCompanionRepository(new CountedContainer(runtime.cosmosDatabase.container('companions')));
  await import('../../functions/index.js');

  otherProjectKey = await createOtherProjectKey(asAdmin, ORG);
});

afterAll(() => releaseRuntime(runtime));

describe('functions through the real function handlers on the emulators', () => {
  it('creates, lists, reads, replaces with If-Match and deletes a function', async () => {
    const created = await createFunction(weather);
    expect(created.status).toBe(201);
    const id = created.json!.id as string;
    expect(id).toMatch(/^fn_/);
    expect(created.headers.get('location')).toBe(`/public/functions/${id}`);
    expect(created.json).toEqual({
      id,
      data: weather.data,
      flow: 'implicit',
      headerNames: [],
      prompt: 'Use it for weather questions.',
      timeoutMs: 10_000,
      created: expect.any(String),
      updated: expect.any(String),
      etag: created.headers.get('etag'),
      signingSecret: expect.stringMatching(/^fnsec_[A-Za-z0-9_-]{43}$/),
    });
    // The signing secret is shown once: never again on reads or lists.
    expect((await call('public-function-get', { headers: key(), params: { id } })).json).not.toHaveProperty('signingSecret');

    const listed = await call('public-functions-list', { headers: key() });
    expect(listed.json!.items.map((f: Json) => f.id)).toContain(id);
    expect((await call('public-function-get', { headers: key(otherProjectKey), params: { id } })).status).toBe(404);
    expect((await call('public-functions-list', { headers: key(otherProjectKey) })).json!.items).toEqual([]);

    const etag = created.headers.get('etag')!;
    const replaced = await call('public-function-replace', {
      headers: { ...key(), 'if-match': etag },
      params: { id },
      body: { ...weather, data: { ...weather.data, name: 'get_forecast' }, timeoutMs: 2500 },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({ data: { name: 'get_forecast' }, timeoutMs: 2500 });
    const stale = await call('public-function-replace', { headers: { ...key(), 'if-match': etag }, params: { id }, body: weather });
    expect(stale.status).toBe(412);
    expect((await createFunction(weather)).status).toBe(201);

    const deleted = await call('public-function-delete', { headers: { ...key(), 'if-match': replaced.headers.get('etag')! }, params: { id } });
    expect(deleted.status).toBe(204);
    expect((await call('public-function-get', { headers: key(), params: { id } })).status).toBe(404);
    expect((await createFunction({ ...weather, data: { name: 'get_forecast' } })).status).toBe(201);
  });

  it('refuses an invalid JSON Schema, explicit without url, implicit with url, plain http, private addresses and bad timeouts', async () => {
    const invalid = await createFunction({ ...weather, data: { name: 'bad_schema', parameters: { type: 'nonsense' } } });
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({ code: 'ValidationFailed' });
    expect(invalid.json!.errors).toEqual([{ path: 'data.parameters.type', message: expect.any(String) }]);

    const notObject = await createFunction({ ...weather, data: { name: 'scalar', parameters: { type: 'array' } } });
    expect(notObject.json!.errors).toEqual([{ path: 'data.parameters.type', message: expect.stringContaining('"object"') }]);

    const noUrl = await createFunction({ data: { name: 'no_url' }, flow: 'explicit' });
    expect(noUrl.status).toBe(400);
    expect(noUrl.json!.errors).toEqual([{ path: 'url', message: 'is required for an explicit function' }]);

    const implicitWithUrl = await createFunction({ data: { name: 'implicit_url' }, flow: 'implicit', url: `${TOOL_HOST}/x` });
    expect(implicitWithUrl.status).toBe(400);
    expect(implicitWithUrl.json!.errors.map((e: Json) => e.path)).toEqual(['url']);

    const plain = await createFunction({ data: { name: 'plain' }, flow: 'explicit', url: 'http://93.184.215.14/x' });
    expect(plain.json!.errors).toEqual([{ path: 'url', message: 'must be an https:// or wss:// URL' }]);

    const privateUrl = await createFunction({ data: { name: 'private' }, flow: 'explicit', url: 'https://10.0.0.5/hook' });
    expect(privateUrl.status).toBe(400);
    expect(privateUrl.json).toMatchObject({ code: 'UrlNotAllowed' });

    for (const timeoutMs of [50, 60_001, 1.5]) {
      const bad = await createFunction({ ...weather, data: { name: 'timeouts' }, timeoutMs });
      expect(bad.status, String(timeoutMs)).toBe(400);
      expect(bad.json!.errors.map((e: Json) => e.path)).toEqual(['timeoutMs']);
    }
    const badName = await createFunction({ ...weather, data: { name: 'has space' }, extra: true });
    expect(badName.json!.errors.map((e: Json) => e.path).sort()).toEqual(['data.name', 'extra']);

    const socket = await createFunction({ data: { name: 'live_quotes' }, flow: 'explicit', url: 'wss://93.184.215.14/quotes', timeoutMs: 60_000 });
    expect(socket.status).toBe(201);
    expect(socket.json).toMatchObject({ flow: 'explicit', url: 'wss://93.184.215.14/quotes', timeoutMs: 60_000 });
  });

  it('keeps headers write-only: sealed in the store, never in an answer, only their names shown', async () => {
    const secret = 'Bearer s3cr3t-tool-token';
    const created = await createFunction({
      data: { name: 'book_meeting' },
      flow: 'explicit',
      url: `${TOOL_HOST}/book`,
      headers: { Authorization: secret, 'X-Tenant': 'acme-tenant-value' },
    });
    expect(created.status).toBe(201);
    const id = created.json!.id as string;
    expect(created.json!.headerNames).toEqual(['Authorization', 'X-Tenant']);

    const answers = [
      created,
      await call('public-function-get', { headers: key(), params: { id } }),
      await call('public-functions-list', { headers: key() }),
      await call('public-function-replace', {
        headers: key(),
        params: { id },
        body: { data: { name: 'book_meeting' }, flow: 'explicit', url: `${TOOL_HOST}/book`, headers: { Authorization: secret } },
      }),
    ];
    for (const answer of answers) {
      expect(answer.text).not.toContain('s3cr3t');
      expect(answer.text).not.toContain('acme-tenant-value');
      expect(answer.text).not.toContain('sealed');
    }
    expect(answers[3]!.json!.headerNames).toEqual(['Authorization']);

    const { resource } = await runtime.cosmosDatabase.container('functions').item(id, PROJECT).read<Json>();
    expect(JSON.stringify(resource)).not.toContain('s3cr3t');
    expect(resource).toMatchObject({ headerNames: ['Authorization'], sealedHeaders: { v: 1, ciphertext: expect.any(String) } });
  });

  it('keeps names unique per project, also under concurrent creations, while another project may use the same name', async () => {
    const first = await createFunction({ ...weather, data: { name: 'lookup' } });
    expect(first.status).toBe(201);
    const duplicate = await createFunction({ ...weather, data: { name: 'lookup' } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json).toMatchObject({ code: 'FunctionNameTaken' });
    expect((await createFunction({ ...weather, data: { name: 'lookup' } }, otherProjectKey)).status).toBe(201);

    const racing = await Promise.all([createFunction({ ...weather, data: { name: 'racer' } }), createFunction({ ...weather, data: { name: 'racer' } })]);
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409]);

    const other = await createFunction({ ...weather, data: { name: 'other' } });
    const renameToTaken = await call('public-function-replace', {
      headers: key(),
      params: { id: other.json!.id as string },
      body: { ...weather, data: { name: 'lookup' } },
    });
    expect(renameToTaken.status).toBe(409);
    expect(renameToTaken.json).toMatchObject({ code: 'FunctionNameTaken' });
  });
});

describe('agents through the real function handlers on the emulators', () => {
  it('creates an agent from a stock companion and resources of the project, then reads, patches and deletes it', async () => {
    const fn = (await createFunction({ ...weather, data: { name: 'agent_tool_1' } })).json!;
    const fn2 = (await createFunction({ ...weather, data: { name: 'agent_tool_2' } })).json!;
    const faq = (await call('public-faq-create', { headers: key(), body: { name: 'Billing', faqs: [{ question: 'Price?', answer: 'Low.' }] } })).json!;
    const base = (await call('public-knowledge-base-create', { headers: key(), body: { name: 'Manuals' } })).json!;

    const created = await call('public-agent-create', {
      headers: key(),
      body: {
        companionId: stock.id,
        name: 'Front desk',
        language: 'DE',
        voiceId: 'coral',
        functions: [fn.id, fn2.id],
        faqCollections: [faq.id],
        knowledgeBaseId: base.id,
        providerSettings: { instructions: 'Be brief.', temperature: 0.5, turnDetection: { type: 'server_vad', threshold: 0.6 }, noiseReduction: 'near_field' },
        tags: { team: 'care' },
      },
    });
    expect(created.status).toBe(201);
    const id = created.json!.id as string;
    expect(id).toMatch(/^agent_/);
    expect(created.headers.get('location')).toBe(`/public/agents/${id}`);
    expect(created.json).toEqual({
      id,
      companionId: stock.id,
      name: 'Front desk',
      language: 'de',
      voiceId: 'coral',
      functions: [fn.id, fn2.id],
      faqCollections: [faq.id],
      knowledgeBaseId: base.id,
      providerSettings: { instructions: 'Be brief.', temperature: 0.5, turnDetection: { type: 'server_vad', threshold: 0.6 }, noiseReduction: 'near_field' },
      disableIdleTimeout: false,
      idleTimeoutSeconds: 180,
      maxSessionSeconds: 3600,
      tags: { team: 'care' },
      created: expect.any(String),
      updated: expect.any(String),
      etag: created.headers.get('etag'),
    });
    expect((await call('public-agents-list', { headers: key() })).json!.items.map((a: Json) => a.id)).toContain(id);
    expect((await call('public-agent-get', { headers: key(otherProjectKey), params: { id } })).status).toBe(404);

    const patched = await call('public-agent-update', {
      headers: { ...key(), 'if-match': created.headers.get('etag')! },
      params: { id },
      body: { functions: [fn2.id], faqCollections: [], knowledgeBaseId: null, providerSettings: { temperature: null }, maxSessionSeconds: 600 },
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ functions: [fn2.id], faqCollections: [], maxSessionSeconds: 600, providerSettings: { instructions: 'Be brief.' } });
    expect(patched.json).not.toHaveProperty('knowledgeBaseId');
    expect(patched.json!.providerSettings).not.toHaveProperty('temperature');
    const stale = await call('public-agent-update', { headers: { ...key(), 'if-match': created.headers.get('etag')! }, params: { id }, body: { name: 'x' } });
    expect(stale.status).toBe(412);
    const empty = await call('public-agent-update', { headers: key(), params: { id }, body: {} });
    expect(empty.status).toBe(400);

    const inUse = await call('public-function-delete', { headers: key(), params: { id: fn2.id as string } });
    expect(inUse.status).toBe(409);
    expect(inUse.json).toMatchObject({ code: 'FunctionInUse' });
    expect(inUse.json!.detail).toContain(id);
    expect((await call('public-function-delete', { headers: key(), params: { id: fn.id as string } })).status).toBe(204);

    expect((await call('public-agent-delete', { headers: { ...key(), 'if-match': patched.headers.get('etag')! }, params: { id } })).status).toBe(204);
    expect((await call('public-agent-get', { headers: key(), params: { id } })).status).toBe(404);
    expect((await call('public-function-delete', { headers: key(), params: { id: fn2.id as string } })).status).toBe(204);
  });

  it("names each unknown id, and another project's ids are unknown", async () => {
    const theirFunction = (await createFunction({ ...weather, data: { name: 'theirs' } }, otherProjectKey)).json!;
    const theirFaq = (await call('public-faq-create', { headers: key(otherProjectKey), body: { name: 'Theirs' } })).json!;
    const theirBase = (await call('public-knowledge-base-create', { headers: key(otherProjectKey), body: { name: 'Theirs' } })).json!;
    const theirCompanion = (await call('public-companion-create', { headers: key(otherProjectKey), body: { description: 'Theirs' } })).json!;

    const refused = await call('public-agent-create', {
      headers: key(),
      body: {
        companionId: theirCompanion.id,
        name: 'Borrower',
        voiceId: 'alloy',
        functions: [theirFunction.id, 'fn_unknown'],
        faqCollections: [theirFaq.id],
        knowledgeBaseId: theirBase.id,
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ code: 'ValidationFailed' });
    expect(refused.json!.errors).toEqual([
      { path: 'companionId', message: `${theirCompanion.id as string} is not a companion of this project` },
      { path: 'functions.0', message: `${theirFunction.id as string} is not a function of this project` },
      { path: 'functions.1', message: 'fn_unknown is not a function of this project' },
      { path: 'faqCollections.0', message: `${theirFaq.id as string} is not an FAQ collection of this project` },
      { path: 'knowledgeBaseId', message: `${theirBase.id as string} is not a knowledge base of this project` },
    ]);

    const badShape = await call('public-agent-create', {
      headers: key(),
      body: { companionId: stock.id, name: 'Shape', voiceId: 'alloy', language: 'xx', providerSettings: { temperature: 3, noiseReduction: 'loud' }, idleTimeoutSeconds: 5 },
    });
    expect(badShape.status).toBe(400);
    expect(badShape.json!.errors.map((e: Json) => e.path).sort()).toEqual([
      'idleTimeoutSeconds',
      'language',
      'providerSettings.noiseReduction',
      'providerSettings.temperature',
    ]);
  });

  it('refuses a companion that is not ready, and applies the voice rules of companions and twins', async () => {
    const pending = (await call('public-companion-create', { headers: key(), body: { description: 'Still generating' } })).json!;
    const notReady = await call('public-agent-create', { headers: key(), body: { companionId: pending.id, name: 'Early', voiceId: 'alloy' } });
    expect(notReady.status).toBe(409);
    expect(notReady.json).toMatchObject({ code: 'CompanionNotReady' });

    const noVoice = await call('public-agent-create', { headers: key(), body: { companionId: stock.id, name: 'Mute' } });
    expect(noVoice.status).toBe(400);
    expect(noVoice.json!.errors).toEqual([{ path: 'voiceId', message: expect.stringContaining('is required unless') }]);
    const unknownVoice = await call('public-agent-create', { headers: key(), body: { companionId: stock.id, name: 'Odd', voiceId: 'nova-deluxe' } });
    expect(unknownVoice.json!.errors).toEqual([{ path: 'voiceId', message: expect.stringContaining('GET /public/voices') }]);

    const twin = await storedCompanion({
      personaType: 'digitalTwin',
      firstName: 'Sarah',
      lastName: 'Johnson',
      externalClientId: 'sarah-agent-001',
      status: 'completed',
      voice: { status: 'ready' },
    });
    const ownVoice = await call('public-agent-create', { headers: key(), body: { companionId: twin.id, name: 'Sarah' } });
    expect(ownVoice.status).toBe(201);
    expect(ownVoice.json).not.toHaveProperty('voiceId');
    const named = await call('public-agent-create', { headers: key(), body: { companionId: twin.id, name: 'Sarah 2', voiceId: `twin:${twin.id}` } });
    expect(named.json).toMatchObject({ voiceId: `twin:${twin.id}` });
    const othersVoice = await call('public-agent-create', { headers: key(), body: { companionId: stock.id, name: 'Thief', voiceId: `twin:${twin.id}` } });
    expect(othersVoice.status).toBe(400);

    for (const agent of [ownVoice, named]) {
      expect((await call('public-agent-delete', { headers: key(), params: { id: agent.json!.id as string } })).status).toBe(204);
    }
  });

  it('refuses to delete a companion an agent uses, with CompanionInUse, until the agent is gone', async () => {
    const companion = await storedCompanion();
    const agent = await call('public-agent-create', { headers: key(), body: { companionId: companion.id, name: 'Bound', voiceId: 'alloy' } });
    expect(agent.status).toBe(201);

    const refused = await call('public-companion-delete', { headers: key(), params: { id: companion.id } });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ code: 'CompanionInUse' });
    expect(refused.json!.detail).toContain(agent.json!.id);
    expect((await call('public-companion-get', { headers: key(), params: { id: companion.id } })).status).toBe(200);

    expect((await call('public-agent-delete', { headers: key(), params: { id: agent.json!.id as string } })).status).toBe(204);
    expect((await call('public-companion-delete', { headers: key(), params: { id: companion.id } })).status).toBe(204);
  });

  it(`when the organization holds ${MAX_AGENTS_PER_ORGANIZATION} agents, the next one fails with AgentLimitExceeded`, async () => {
    const slots = new CosmosAgentSlotRepository(new CountedContainer(runtime.cosmosDatabase.container('agent-slots')));
    const first = await call('public-agent-create', { headers: key(), body: { companionId: stock.id, name: 'Counted', voiceId: 'alloy' } });
    expect(first.status).toBe(201);
    const current = await slots.get(ORG);
    expect(current?.slots.map((s) => s.agentId)).toContain(first.json!.id);

    // The other agents of the organization stand in as slots held by creations in progress in its other project.
    const filler = Array.from({ length: MAX_AGENTS_PER_ORGANIZATION - current!.slots.length }, (_, i) => ({
      agentId: `agent_filler${i}`,
      projectId: 'proj_elsewhere',
      reservedAt: new Date().toISOString(),
    }));
    await slots.replace({ ...current!, slots: [...current!.slots, ...filler] });

    const refused = await call('public-agent-create', { headers: key(otherProjectKey), body: { companionId: stock.id, name: 'One too many', voiceId: 'alloy' } });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ code: 'AgentLimitExceeded' });

    expect((await call('public-agent-delete', { headers: key(), params: { id: first.json!.id as string } })).status).toBe(204);
    const freed = await call('public-agent-create', { headers: key(otherProjectKey), body: { companionId: stock.id, name: 'Fits again', voiceId: 'alloy' } });
    expect(freed.status).toBe(201);
  });
});

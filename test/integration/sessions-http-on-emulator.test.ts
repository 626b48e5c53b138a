import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { STOCK_COMPANIONS } from '../../shared/domain/stock-companions.js';
import type { Runtime } from '../../shared/runtime.js';
import { startFakeAzureOpenAI, type FakeAzureOpenAI } from '../fakes/azure-openai.js';
import { call, type Json } from './helpers/http-harness.js';
import { bootstrappedRuntime, releaseRuntime } from './helpers/test-runtime.js';

vi.mock('@azure/functions', async (importOriginal) =>
  (await import('./helpers/function-registrations.js')).capturingFunctionsModule(await importOriginal()),
);

const DEV_TOKEN = 'dev-admin-token-sessions-0123456789abcdef';
const BOOTSTRAP_SECRET = 'bootstrap-secret-sessions-0123456789abcdef';
const SESSION_SECRET = 'session-token-secret-for-tests-0123456789';
const ORG = 'org_local';

const key = (secret = BOOTSTRAP_SECRET) => ({ 'x-api-key': secret });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const stock = STOCK_COMPANIONS[0]!;

async function startRuntime(prefix: string, overrides: Record<string, string> = {}): Promise<Runtime> {
  const { runtime } = await bootstrappedRuntime(prefix, {
    apiKeySecret: BOOTSTRAP_SECRET,
    settings: { COMPANION_DEV_ADMIN_TOKEN: DEV_TOKEN, SESSION_TOKEN_SECRET: SESSION_SECRET, ...overrides },
  });
  return runtime;
}

/** An agent on a stock companion with a voice, an FAQ collection and an (empty) knowledge base. */
async function createAgent(): Promise<string> {
  const faq = await call('public-faq-create', {
    headers: key(),
    body: { name: 'Store', faqs: [{ question: 'What are your opening hours?', answer: 'We are open 9 to 5, Monday to Friday.' }] },
  });
  expect(faq.status).toBe(201);
  const base = await call('public-knowledge-base-create', { headers: key(), body: { name: 'Manuals' } });
  expect(base.status).toBe(201);
  const agent = await call('public-agent-create', {
    headers: key(),
    body: {
      companionId: stock.id,
      name: 'Front desk',
      voiceId: 'coral',
      language: 'en',
      faqCollections: [faq.json!.id],
      knowledgeBaseId: base.json!.id,
      providerSettings: { instructions: 'Be brief.' },
    },
  });
  expect(agent.status).toBe(201);
  return agent.json!.id as string;
}

async function connect(agentId: string, body: Json = { channelType: 'text', externalClientId: 'user-1', tags: { channel: 'web' } }) {
  return call('public-agent-connection-create', { headers: key(), params: { agentId }, body });
}

let runtime: Runtime | undefined;

afterAll(() => releaseRuntime(runtime));

describe('text sessions without a language model', () => {
  let agentId: string;

  beforeAll(async () => {
    runtime = await startRuntime('sessions-nollm');
    await import('../../functions/index.js');
    agentId = await createAgent();
  });

  afterAll(async () => {
    await releaseRuntime(runtime);
    runtime = undefined;
  });

  it('opens a text session, answers from the FAQ, says no model is configured, and records the transcript', async () => {
    const created = await connect(agentId);
    expect(created.status).toBe(201);
    const { token, connection } = created.json as { token: string; connection: { id: string; expiresAt: string } };
    expect(connection.id).toMatch(/^sess_/);
    const ttl = Date.parse(connection.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000);

    const pending = await call('public-session-get', { headers: key(), params: { id: connection.id } });
    expect(pending.json).toMatchObject({ status: 'pending', agentId, companionId: stock.id, channelType: 'text', modality: 'text', transcript: [] });

    const reply = await call('public-session-message', {
      headers: bearer(token),
      params: { id: connection.id },
      body: { text: 'What are your opening hours?' },
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      reply: { role: 'assistant', text: 'We are open 9 to 5, Monday to Friday.' },
      events: [{ type: 'no_language_model' }],
      toolCalls: [],
    });

    const unknown = await call('public-session-message', {
      headers: bearer(token),
      params: { id: connection.id },
      body: { text: 'Tell me about quantum chromodynamics' },
    });
    expect(unknown.json!.reply.text).toContain('No language model is configured');

    const recorded = await call('public-session-message', {
      headers: bearer(token),
      params: { id: connection.id },
      body: { text: 'note this', role: 'system', triggerResponse: false },
    });
    expect(recorded.json).toMatchObject({ reply: null, toolCalls: [] });

    const session = await call('public-session-get', { headers: key(), params: { id: connection.id } });
    expect(session.json!.status).toBe('started');
    expect(session.json!.startedAt).toBeDefined();
    expect(session.json!.transcript.map((e: Json) => [e.role, e.source])).toEqual([
      ['user', undefined],
      ['assistant', 'faq'],
      ['user', undefined],
      ['assistant', 'none'],
      ['system', undefined],
    ]);
    expect(session.json!.transcript[1].durationMs).toBeGreaterThanOrEqual(0);
    // The stored configuration and key are internal: the view shows neither.
    expect(session.json).not.toHaveProperty('assembled');
    expect(session.json).not.toHaveProperty('keyId');
  });

  it('opens audio channels too (audio by default), and refuses bad external client ids and unknown agents', async () => {
    for (const channelType of ['webrtc', 'websocket']) {
      const opened = await connect(agentId, { channelType });
      expect(opened.status).toBe(201);
      const session = await call('public-session-get', { headers: key(), params: { id: opened.json!.connection.id } });
      expect(session.json).toMatchObject({ channelType, modality: 'audio', status: 'pending' });
    }
    const badId = await connect(agentId, { channelType: 'text', externalClientId: 'has spaces' });
    expect(badId.status).toBe(400);
    const noAgent = await call('public-agent-connection-create', { headers: key(), params: { agentId: 'agent_missing' }, body: { channelType: 'text' } });
    expect(noAgent.status).toBe(404);
  });

  it('answers 401 InvalidSessionToken for a missing, forged, expired or other session token', async () => {
    const first = (await connect(agentId)).json as { token: string; connection: { id: string } };
    const second = (await connect(agentId)).json as { token: string; connection: { id: string } };
    const send = (headers: Record<string, string>, id = first.connection.id) =>
      call('public-session-message', { headers, params: { id }, body: { text: 'hello' } });

    for (const headers of [{}, bearer('not-a-jwt'), bearer(second.token)]) {
      const response = await send(headers);
      expect(response.status).toBe(401);
      expect(response.json).toMatchObject({ code: 'InvalidSessionToken' });
    }
    const claims = { sessionId: first.connection.id, projectId: 'proj_local', orgId: ORG };
    const sign = (secret: string, exp: number) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('companion-sessions')
        .setAudience('session-runtime')
        .setIssuedAt(exp - 900)
        .setExpirationTime(exp)
        .sign(new TextEncoder().encode(secret));
    const now = Math.floor(Date.now() / 1000);
    expect((await send(bearer(await sign(SESSION_SECRET, now - 60)))).status).toBe(401);
    expect((await send(bearer(await sign('another-secret-of-at-least-32-characters!', now + 600)))).status).toBe(401);
    // The same claims, properly signed and current, are accepted: the refusals above are for the reasons tested.
    expect((await send(bearer(await sign(SESSION_SECRET, now + 600)))).status).toBe(200);
  });

  it("hides another project's sessions", async () => {
    const project = await call('manage-project-create', { headers: bearer(DEV_TOKEN), params: { orgId: ORG }, body: { name: 'Other' } });
    const created = await call('manage-api-key-create', {
      headers: bearer(DEV_TOKEN),
      params: { projectId: project.json!.id as string },
      body: { name: 'Other key', llm: { hosting: 'hosted' } },
    });
    const otherKey = created.json!.secret as string;
    const mine = (await connect(agentId)).json as { connection: { id: string } };
    const read = await call('public-session-get', { headers: key(otherKey), params: { id: mine.connection.id } });
    expect(read.status).toBe(404);
    const connectOther = await call('public-agent-connection-create', { headers: key(otherKey), params: { agentId }, body: { channelType: 'text' } });
    expect(connectOther.status).toBe(404);
  });
});

describe('text sessions with Azure OpenAI (the fake)', () => {
  let fake: FakeAzureOpenAI;
  let agentId: string;

  beforeAll(async () => {
    fake = await startFakeAzureOpenAI();
    runtime = await startRuntime('sessions-llm', {
      COMPANION_ALLOW_PRIVATE_URLS: '1',
      AZURE_OPENAI_ENDPOINT: fake.endpoint,
      AZURE_OPENAI_API_KEY: fake.apiKey,
      AZURE_OPENAI_CHAT_DEPLOYMENT: 'gpt-4o',
    });
    await import('../../functions/index.js');
    agentId = await createAgent();
  });

  afterAll(async () => {
    await fake.close();
  });

  it('runs the knowledge search the model asks for, gives it the result, and records the tool call', async () => {
    const { token, connection } = (await connect(agentId)).json as { token: string; connection: { id: string } };
    fake.reset();
    fake.script(
      { toolCalls: [{ id: 'call_1', name: 'search_knowledge', arguments: { query: 'warranty period' } }] },
      { content: 'The manuals do not say; please ask the store.' },
    );
    const reply = await call('public-session-message', { headers: bearer(token), params: { id: connection.id }, body: { text: 'How long is the warranty?' } });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      reply: { role: 'assistant', text: 'The manuals do not say; please ask the store.' },
      events: [],
      toolCalls: [{ callId: 'call_1', name: 'search_knowledge', output: JSON.stringify({ results: [] }) }],
    });

    const chats = fake.requests().filter((r) => r.operation === 'chat/completions');
    expect(chats).toHaveLength(2);
    const first = chats[0]!.body as Json;
    expect(first.messages[0]).toMatchObject({ role: 'system' });
    expect(first.messages[0].content).toContain('Be brief.');
    expect(first.messages.at(-1)).toEqual({ role: 'user', content: 'How long is the warranty?' });
    expect(first.tools.map((t: Json) => t.function.name)).toEqual(['search_knowledge']);
    const second = chats[1]!.body as Json;
    expect(second.messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_1', content: JSON.stringify({ results: [] }) });

    const session = await call('public-session-get', { headers: key(), params: { id: connection.id } });
    const [user, assistant] = session.json!.transcript as Json[];
    expect(user).toMatchObject({ role: 'user', text: 'How long is the warranty?' });
    expect(assistant).toMatchObject({ role: 'assistant', source: 'llm', text: 'The manuals do not say; please ask the store.' });
    expect(assistant!.toolCalls).toEqual([
      expect.objectContaining({ callId: 'call_1', name: 'search_knowledge', arguments: JSON.stringify({ query: 'warranty period' }) }),
    ]);
  });

  it('retries a 429 from the model and then answers', async () => {
    const { token, connection } = (await connect(agentId)).json as { token: string; connection: { id: string } };
    fake.reset();
    fake.failNext(1, { status: 429, retryAfterSeconds: 0 });
    fake.script({ content: 'Hello!' });
    const reply = await call('public-session-message', { headers: bearer(token), params: { id: connection.id }, body: { text: 'Hi' } });
    expect(reply.json!.reply).toEqual({ role: 'assistant', text: 'Hello!' });
  });
});

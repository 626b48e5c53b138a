import { InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { STOCK_COMPANIONS } from '../../shared/domain/stock-companions.js';
import { verifyRequestSignature } from '../../shared/domain/request-signature.js';
import type { Runtime } from '../../shared/runtime.js';
import { startFakeAzureOpenAI, type FakeAzureOpenAI } from '../fakes/azure-openai.js';
import { startFakeToolServer, type FakeToolServer } from '../fakes/tool-server.js';
import { registrations } from './helpers/function-registrations.js';
import { call, type Json } from './helpers/http-harness.js';
import { bootstrappedRuntime, releaseRuntime } from './helpers/test-runtime.js';

vi.mock('@azure/functions', async (importOriginal) =>
  (await import('./helpers/function-registrations.js')).capturingFunctionsModule(await importOriginal()),
);

const DEV_TOKEN = 'dev-admin-token-fncalls-0123456789abcdef';
const BOOTSTRAP_SECRET = 'bootstrap-secret-fncalls-0123456789abcdef';
const key = (secret = BOOTSTRAP_SECRET) => ({ 'x-api-key': secret });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const stock = STOCK_COMPANIONS[0]!;

let runtime: Runtime | undefined;
let llm: FakeAzureOpenAI;
let tools: FakeToolServer;

interface CreatedFunction {
  readonly id: string;
  readonly signingSecret: string;
}

async function createFunction(body: Json, path?: string): Promise<CreatedFunction> {
  const created = await call('public-function-create', { headers: key(), body });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const fn = created.json as CreatedFunction;
  expect(fn.signingSecret).toMatch(/^fnsec_/);
  if (path !== undefined) tools.setSecret(path, fn.signingSecret);
  return fn;
}

async function openSession(functionIds: string[]): Promise<{ token: string; id: string }> {
  const agent = await call('public-agent-create', {
    headers: key(),
    body: { companionId: stock.id, name: `Tools ${functionIds.length}`, voiceId: 'coral', functions: functionIds },
  });
  expect(agent.status, JSON.stringify(agent.json)).toBe(201);
  const connected = await call('public-agent-connection-create', {
    headers: key(),
    params: { agentId: agent.json!.id as string },
    body: { channelType: 'text', externalClientId: 'client-7', tags: { plan: 'gold' } },
  });
  expect(connected.status).toBe(201);
  return { token: connected.json!.token as string, id: connected.json!.connection.id as string };
}

const say = (session: { token: string; id: string }, text: string) =>
  call('public-session-message', { headers: bearer(session.token), params: { id: session.id }, body: { text } });

beforeAll(async () => {
  llm = await startFakeAzureOpenAI();
  tools = await startFakeToolServer();
  ({ runtime } = await bootstrappedRuntime('session-functions', {
    apiKeySecret: BOOTSTRAP_SECRET,
    settings: {
      COMPANION_DEV_ADMIN_TOKEN: DEV_TOKEN,
      COMPANION_ALLOW_PRIVATE_URLS: '1',
      AZURE_OPENAI_ENDPOINT: llm.endpoint,
      AZURE_OPENAI_API_KEY: llm.apiKey,
      AZURE_OPENAI_CHAT_DEPLOYMENT: 'gpt-4o',
      AZURE_OPENAI_REALTIME_DEPLOYMENT: 'gpt-realtime',
    },
  }));
  await import('../../functions/index.js');
});

afterAll(async () => {
  await releaseRuntime(runtime);
  await tools.close();
  await llm.close();
});

beforeEach(() => llm.reset());

describe('explicit functions', () => {
  it('calls an HTTPS function with a signed JSON body, and its answer reaches the reply', async () => {
    tools.on('/weather', { kind: 'json', body: ({ arguments: args }) => ({ city: (args as Json).city, temperatureC: 21 }) });
    const fn = await createFunction(
      {
        data: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
        flow: 'explicit',
        url: `${tools.httpUrl}/weather`,
        headers: { 'X-Tenant-Token': 'tenant-secret-value' },
        timeoutMs: 5000,
      },
      '/weather',
    );
    const session = await openSession([fn.id]);
    llm.script({ toolCalls: [{ id: 'call_w1', name: 'get_weather', arguments: { city: 'Oslo' } }] }, { content: 'It is 21 degrees in Oslo.' });

    const reply = await say(session, 'Weather in Oslo?');
    expect(reply.status, JSON.stringify(reply.json)).toBe(200);
    expect(reply.json).toMatchObject({
      reply: { role: 'assistant', text: 'It is 21 degrees in Oslo.' },
      toolCalls: [{ callId: 'call_w1', name: 'get_weather', outcome: 'ok', output: JSON.stringify({ city: 'Oslo', temperatureC: 21 }) }],
      pendingCallIds: [],
    });

    const request = tools.requests().filter((r) => r.path === '/weather').at(-1)!;
    expect(request.signatureValid).toBe(true);
    expect(request.headers['x-tenant-token']).toBe('tenant-secret-value');
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({
      callId: 'call_w1',
      name: 'get_weather',
      arguments: { city: 'Oslo' },
      sessionId: session.id,
      externalClientId: 'client-7',
      tags: { plan: 'gold' },
    });
    // The signature is over "timestamp.body" with the function's secret and no other.
    const headers = { timestamp: request.headers['x-webhook-timestamp'], signature: request.headers['x-webhook-signature'] };
    expect(verifyRequestSignature(fn.signingSecret, headers, request.body, new Date())).toBe(true);
    expect(verifyRequestSignature('fnsec_another', headers, request.body, new Date())).toBe(false);

    const second = llm.requests().filter((r) => r.operation === 'chat/completions')[1]!.body as Json;
    expect(second.messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_w1', content: JSON.stringify({ city: 'Oslo', temperatureC: 21 }) });

    const stored = await call('public-session-get', { headers: key(), params: { id: session.id } });
    const assistant = stored.json!.transcript.at(-1) as Json;
    expect(assistant).toMatchObject({ role: 'assistant', source: 'llm', toolCalls: [{ callId: 'call_w1', outcome: 'ok' }] });
    expect(assistant.toolMs).toBeGreaterThanOrEqual(0);
    expect(assistant.modelMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(stored.json)).not.toContain('tenant-secret-value');
  });

  it('after a rotation, calls are signed with the new secret only', async () => {
    tools.on('/rotated', { kind: 'json', body: () => ({ ok: true }) });
    const fn = await createFunction({ data: { name: 'rotated_tool' }, flow: 'explicit', url: `${tools.httpUrl}/rotated` }, '/rotated');
    const rotated = await call('public-function-signing-secret-rotate', { headers: key(), params: { id: fn.id } });
    expect(rotated.status).toBe(200);
    const newSecret = rotated.json!.signingSecret as string;
    expect(newSecret).not.toBe(fn.signingSecret);
    expect((await call('public-function-get', { headers: key(), params: { id: fn.id } })).json).not.toHaveProperty('signingSecret');

    const session = await openSession([fn.id]);
    llm.script({ toolCalls: [{ id: 'call_r1', name: 'rotated_tool', arguments: {} }] }, { content: 'done' });
    const reply = await say(session, 'go');
    // The endpoint still holds the old secret: it refuses, and the model is told the call failed.
    expect(reply.json!.toolCalls[0]).toMatchObject({ outcome: 'error', output: JSON.stringify({ error: "the function's endpoint answered HTTP 401" }) });
    tools.setSecret('/rotated', newSecret);
    llm.script({ toolCalls: [{ id: 'call_r2', name: 'rotated_tool', arguments: {} }] }, { content: 'done' });
    const again = await say(session, 'again');
    expect(again.json!.toolCalls[0]).toMatchObject({ outcome: 'ok', output: JSON.stringify({ ok: true }) });
  });

  it('calls a WSS function over one WebSocket exchange', async () => {
    tools.on('/ws/stock', { kind: 'json', body: ({ arguments: args }) => ({ sku: (args as Json).sku, inStock: 4 }) });
    const fn = await createFunction(
      { data: { name: 'stock_level', parameters: { type: 'object', properties: { sku: { type: 'string' } } } }, flow: 'explicit', url: `${tools.wsUrl}/ws/stock` },
      '/ws/stock',
    );
    const session = await openSession([fn.id]);
    llm.script({ toolCalls: [{ id: 'call_s1', name: 'stock_level', arguments: { sku: 'A-1' } }] }, { content: 'Four left.' });
    const reply = await say(session, 'Is A-1 in stock?');
    expect(reply.json).toMatchObject({
      reply: { text: 'Four left.' },
      toolCalls: [{ callId: 'call_s1', outcome: 'ok', output: JSON.stringify({ sku: 'A-1', inStock: 4 }) }],
    });
    const request = tools.requests().filter((r) => r.path === '/ws/stock').at(-1)!;
    expect(request).toMatchObject({ transport: 'ws', signatureValid: true });
    expect(JSON.parse(request.body)).toMatchObject({ callId: 'call_s1', arguments: { sku: 'A-1' }, sessionId: session.id });
  });

  it('a tool that hangs times out cleanly: the model is told, the turn answers, a function_call_timeout event is returned', async () => {
    tools.on('/slow', { kind: 'hang' });
    const fn = await createFunction({ data: { name: 'slow_tool' }, flow: 'explicit', url: `${tools.httpUrl}/slow`, timeoutMs: 300 }, '/slow');
    const session = await openSession([fn.id]);
    llm.script({ toolCalls: [{ id: 'call_h1', name: 'slow_tool', arguments: {} }] }, { content: 'The tool is not answering right now.' });
    const started = Date.now();
    const reply = await say(session, 'Use the slow tool');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      reply: { text: 'The tool is not answering right now.' },
      events: [{ type: 'function_call_timeout', callId: 'call_h1', name: 'slow_tool' }],
      toolCalls: [{ callId: 'call_h1', outcome: 'timeout', output: JSON.stringify({ error: 'the function did not answer within 300 ms' }) }],
    });
  });

  it('an endpoint that fails (HTTP 500) becomes an error result for the model, not a failed turn', async () => {
    tools.on('/broken', { kind: 'json', status: 500, body: () => ({ error: 'internal' }) });
    const fn = await createFunction({ data: { name: 'broken_tool' }, flow: 'explicit', url: `${tools.httpUrl}/broken` }, '/broken');
    const session = await openSession([fn.id]);
    llm.script({ toolCalls: [{ id: 'call_b1', name: 'broken_tool', arguments: {} }] }, { content: 'Sorry, that failed.' });
    const reply = await say(session, 'try it');
    expect(reply.json).toMatchObject({ reply: { text: 'Sorry, that failed.' }, toolCalls: [{ outcome: 'error' }] });
  });

  it('refuses to create a function whose endpoint is a link-local or metadata address', async () => {
    for (const url of ['https://169.254.169.254/latest/meta-data', 'https://10.0.0.8/tool', 'wss://192.168.1.20/socket']) {
      const created = await call('public-function-create', { headers: key(), body: { data: { name: 'bad_url_tool' }, flow: 'explicit', url } });
      expect(created.status, url).toBe(400);
      expect(created.json).toMatchObject({ code: 'UrlNotAllowed' });
    }
  });
});

describe('implicit functions', () => {
  it('round-trips through function-outputs: the turn waits, then answers with the output', async () => {
    const fn = await createFunction({
      data: { name: 'open_cart', parameters: { type: 'object', properties: { item: { type: 'string' } } } },
      flow: 'implicit',
      timeoutMs: 30_000,
    });
    const session = await openSession([fn.id]);
    llm.script({ toolCalls: [{ id: 'call_i1', name: 'open_cart', arguments: { item: 'shoes' } }] }, { content: 'Your cart now has shoes.' });

    const first = await say(session, 'Add shoes to my cart');
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      reply: null,
      events: [{ type: 'function_implicitly_called', callId: 'call_i1', name: 'open_cart', arguments: JSON.stringify({ item: 'shoes' }) }],
      pendingCallIds: ['call_i1'],
    });
    const waiting = await call('public-session-get', { headers: key(), params: { id: session.id } });
    expect(waiting.json!.pendingFunctionCalls).toEqual([expect.objectContaining({ callId: 'call_i1', name: 'open_cart' })]);

    // Another message while the call is awaited is refused, and nothing is lost.
    const early = await say(session, 'hello?');
    expect(early.status).toBe(409);
    expect(early.json).toMatchObject({ code: 'FunctionCallPending' });

    const unknown = await call('public-session-function-output', {
      headers: bearer(session.token),
      params: { id: session.id },
      body: { callId: 'call_nope', output: '{}' },
    });
    expect(unknown.status).toBe(404);

    const output = { callId: 'call_i1', output: JSON.stringify({ items: ['shoes'] }) };
    const answered = await call('public-session-function-output', { headers: bearer(session.token), params: { id: session.id }, body: output });
    expect(answered.status, JSON.stringify(answered.json)).toBe(200);
    expect(answered.json).toMatchObject({
      reply: { role: 'assistant', text: 'Your cart now has shoes.' },
      toolCalls: [{ callId: 'call_i1', name: 'open_cart', outcome: 'ok', output: output.output }],
      pendingCallIds: [],
    });
    const chats = llm.requests().filter((r) => r.operation === 'chat/completions');
    expect((chats.at(-1)!.body as Json).messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_i1', content: output.output });

    // A retried answer gets the same reply; a different one is refused.
    const repeated = await call('public-session-function-output', { headers: bearer(session.token), params: { id: session.id }, body: output });
    expect(repeated.status).toBe(409);
    expect(repeated.json).toMatchObject({ code: 'FunctionCallAlreadySettled' });

    const stored = await call('public-session-get', { headers: key(), params: { id: session.id } });
    expect(stored.json!.pendingFunctionCalls).toEqual([]);
    expect(stored.json!.transcript.map((e: Json) => [e.role, e.text])).toEqual([
      ['user', 'Add shoes to my cart'],
      ['assistant', 'Your cart now has shoes.'],
    ]);
    expect((await say(session, 'thanks')).status).toBe(200);
  });

  it('an unanswered call times out at its deadline: the queue-triggered check tells the model and records the reply', async () => {
    const fn = await createFunction({ data: { name: 'ask_user_location' }, flow: 'implicit', timeoutMs: 200 });
    const session = await openSession([fn.id]);
    llm.script({ toolCalls: [{ id: 'call_t1', name: 'ask_user_location', arguments: {} }] }, { content: 'I could not get your location.' });
    const first = await say(session, 'Where am I?');
    expect(first.json!.pendingCallIds).toEqual(['call_t1']);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const late = await call('public-session-function-output', {
      headers: bearer(session.token),
      params: { id: session.id },
      body: { callId: 'call_t1', output: '"Oslo"' },
    });
    expect(late.status).toBe(409);
    expect(late.json).toMatchObject({ code: 'FunctionCallTimedOut' });

    const session0 = await call('public-session-get', { headers: key(), params: { id: session.id } });
    const pendingTurnId = (await runtime!.services.sessions.get(
      { projectId: 'proj_local', orgId: 'org_local', keyId: '', hosting: 'hosted' },
      session.id,
    )).pendingTurn!.id;
    expect(session0.json!.pendingFunctionCalls).toHaveLength(1);
    const handler = registrations.queues.get('function-call-timeouts')!.handler;
    const message = { projectId: 'proj_local', sessionId: session.id, pendingTurnId };
    await handler(message, new InvocationContext({ functionName: 'function-call-timeouts' }));
    // A repeated delivery is harmless.
    await handler(message, new InvocationContext({ functionName: 'function-call-timeouts' }));

    const stored = await call('public-session-get', { headers: key(), params: { id: session.id } });
    expect(stored.json!.pendingFunctionCalls).toEqual([]);
    const assistant = stored.json!.transcript.at(-1) as Json;
    expect(assistant).toMatchObject({ role: 'assistant', text: 'I could not get your location.', toolCalls: [{ callId: 'call_t1', outcome: 'timeout' }] });
    expect(assistant.toolCalls[0].output).toContain('function_call_timeout');
    expect(llm.requests().filter((r) => r.operation === 'chat/completions')).toHaveLength(2);
  });
});

describe('function-calls (a client that talks to the realtime model itself)', () => {
  it('runs an explicit function by name, records it, and returns the recorded result for a repeated callId', async () => {
    tools.on('/price', { kind: 'json', body: ({ arguments: args }) => ({ sku: (args as Json).sku, price: 12.5 }) });
    const fn = await createFunction({ data: { name: 'price_of' }, flow: 'explicit', url: `${tools.httpUrl}/price` }, '/price');
    const implicitFn = await createFunction({ data: { name: 'client_side_only' }, flow: 'implicit' });
    const session = await openSession([fn.id, implicitFn.id]);
    const body = { callId: 'rt_1', name: 'price_of', arguments: JSON.stringify({ sku: 'B-2' }) };
    const ran = await call('public-session-function-call', { headers: bearer(session.token), params: { id: session.id }, body });
    expect(ran.status, JSON.stringify(ran.json)).toBe(200);
    expect(ran.json).toMatchObject({ callId: 'rt_1', name: 'price_of', outcome: 'ok', output: JSON.stringify({ sku: 'B-2', price: 12.5 }) });
    const calls = tools.requests().filter((r) => r.path === '/price').length;
    const again = await call('public-session-function-call', { headers: bearer(session.token), params: { id: session.id }, body });
    expect(again.json).toEqual(ran.json);
    expect(tools.requests().filter((r) => r.path === '/price')).toHaveLength(calls);

    const implicit = await call('public-session-function-call', {
      headers: bearer(session.token),
      params: { id: session.id },
      body: { callId: 'rt_2', name: 'client_side_only' },
    });
    expect(implicit.status).toBe(400);
    expect(implicit.json).toMatchObject({ code: 'FunctionNotExplicit' });
    const missing = await call('public-session-function-call', {
      headers: bearer(session.token),
      params: { id: session.id },
      body: { callId: 'rt_3', name: 'not_a_tool' },
    });
    expect(missing.status).toBe(404);

    const stored = await call('public-session-get', { headers: key(), params: { id: session.id } });
    expect(stored.json!.status).toBe('started');
    expect(stored.json!.transcript).toEqual([expect.objectContaining({ role: 'assistant', source: 'functionCall', text: '', toolCalls: [expect.objectContaining({ callId: 'rt_1' })] })]);
  });
});

describe('a custom LLM key', () => {
  it("sends the session's turns to the key's own endpoint and deployment with its own credential", async () => {
    const own = await startFakeAzureOpenAI({ deployments: { 'team-gpt': 'chat' }, apiKey: 'customer-own-azure-openai-key' });
    try {
      const created = await call('manage-api-key-create', {
        headers: bearer(DEV_TOKEN),
        params: { projectId: 'proj_local' },
        body: { name: 'BYO', llm: { hosting: 'custom', endpoint: own.endpoint, deployment: 'team-gpt', apiKey: own.apiKey } },
      });
      expect(created.status, JSON.stringify(created.json)).toBe(201);
      const secret = created.json!.secret as string;
      const agent = await call('public-agent-create', { headers: key(secret), body: { companionId: stock.id, name: 'BYO agent', voiceId: 'coral' } });
      const connected = await call('public-agent-connection-create', { headers: key(secret), params: { agentId: agent.json!.id as string }, body: { channelType: 'text' } });
      own.script({ content: 'Answered by your own deployment.' });
      const platformCalls = llm.requests().length;
      const reply = await say({ token: connected.json!.token as string, id: connected.json!.connection.id as string }, 'Hi');
      expect(reply.json!.reply).toEqual({ role: 'assistant', text: 'Answered by your own deployment.' });
      expect(own.requests()).toEqual([expect.objectContaining({ deployment: 'team-gpt', operation: 'chat/completions', auth: 'api-key' })]);
      expect(llm.requests()).toHaveLength(platformCalls);
    } finally {
      await own.close();
    }
  });
});

describe('POST /public/connections (inline configuration)', () => {
  it('opens a session from an inline configuration and uses its instructions and functions', async () => {
    tools.on('/inline', { kind: 'json', body: () => ({ balance: 42 }) });
    const fn = await createFunction({ data: { name: 'account_balance' }, flow: 'explicit', url: `${tools.httpUrl}/inline` }, '/inline');
    const connected = await call('public-connection-create', {
      headers: key(),
      body: {
        channelType: 'text',
        companionId: stock.id,
        providerConfig: { voiceId: 'coral', settings: { instructions: 'Answer in one sentence.', temperature: 0.2 } },
        functions: [fn.id],
        language: 'en',
        tags: { source: 'inline' },
      },
    });
    expect(connected.status, JSON.stringify(connected.json)).toBe(201);
    const session = { token: connected.json!.token as string, id: connected.json!.connection.id as string };
    llm.script({ toolCalls: [{ id: 'call_b', name: 'account_balance', arguments: {} }] }, { content: 'Your balance is 42.' });
    const reply = await say(session, 'What is my balance?');
    expect(reply.json).toMatchObject({ reply: { text: 'Your balance is 42.' }, toolCalls: [{ outcome: 'ok' }] });
    const first = llm.requests().find((r) => r.operation === 'chat/completions')!.body as Json;
    expect(first.messages[0].content).toContain('Answer in one sentence.');
    expect(first.temperature).toBe(0.2);
    expect(first.tools.map((t: Json) => t.function.name)).toEqual(['account_balance']);
    const stored = await call('public-session-get', { headers: key(), params: { id: session.id } });
    expect(stored.json).toMatchObject({ companionId: stock.id, tags: { source: 'inline' } });
    expect(stored.json).not.toHaveProperty('agentId');
  });

  it('checks an inline configuration like an agent: unknown ids, another project\'s ids and bad voices are refused', async () => {
    const otherProject = await call('manage-project-create', { headers: bearer(DEV_TOKEN), params: { orgId: 'org_local' }, body: { name: 'Elsewhere' } });
    const otherKey = await call('manage-api-key-create', {
      headers: bearer(DEV_TOKEN),
      params: { projectId: otherProject.json!.id as string },
      body: { name: 'k', llm: { hosting: 'hosted' } },
    });
    const foreignFaq = await call('public-faq-create', {
      headers: key(otherKey.json!.secret as string),
      body: { name: 'Theirs', faqs: [{ question: 'q?', answer: 'a.' }] },
    });
    const refused = await call('public-connection-create', {
      headers: key(),
      body: {
        channelType: 'text',
        companionId: stock.id,
        providerConfig: { voiceId: 'not-a-voice' },
        functions: ['fn_doesnotexist'],
        faqCollections: [foreignFaq.json!.id],
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.json!.code).toBe('ValidationFailed');
    const paths = (refused.json!.errors as Json[]).map((e) => e.path).sort();
    expect(paths).toEqual(['faqCollections.0', 'functions.0', 'voiceId']);
    const missingCompanion = await call('public-connection-create', { headers: key(), body: { channelType: 'text' } });
    expect(missingCompanion.status).toBe(400);
  });
});

describe("Azure OpenAI's content filter", () => {
  it('a withheld completion gives an empty reply with a content_filtered event; a blocked prompt is refused and not recorded', async () => {
    const session = await openSession([]);
    llm.script({ contentFilter: ['violence'] });
    const withheld = await say(session, 'Tell me a story');
    expect(withheld.status).toBe(200);
    expect(withheld.json).toMatchObject({ reply: { role: 'assistant', text: '' }, events: [{ type: 'content_filtered', categories: ['violence'] }] });

    llm.failNext(1, { status: 400, code: 'content_filter' });
    const blocked = await say(session, 'Something the filter blocks');
    expect(blocked.status).toBe(400);
    expect(blocked.json).toMatchObject({ code: 'ContentFiltered' });
    const stored = await call('public-session-get', { headers: key(), params: { id: session.id } });
    expect(stored.json!.transcript.map((e: Json) => e.text)).toEqual(['Tell me a story', '']);
  });
});

describe('realtime voice sessions', () => {
  it("an audio connection gets a realtime client secret minted with the session's instructions, tools and voice", async () => {
    tools.on('/rt-weather', { kind: 'json', body: () => ({ temperatureC: 18 }) });
    const fn = await createFunction(
      { data: { name: 'rt_weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } } }, flow: 'explicit', url: `${tools.httpUrl}/rt-weather` },
      '/rt-weather',
    );
    const agent = await call('public-agent-create', {
      headers: key(),
      body: {
        companionId: stock.id,
        name: 'Voice agent',
        voiceId: 'coral',
        functions: [fn.id],
        providerSettings: { instructions: 'Speak warmly.', turnDetection: { type: 'server_vad', silenceDurationMs: 600 } },
      },
    });
    const opened = await call('public-agent-connection-create', { headers: key(), params: { agentId: agent.json!.id as string }, body: { channelType: 'webrtc' } });
    expect(opened.status, JSON.stringify(opened.json)).toBe(201);
    const realtime = opened.json!.realtime as Json;
    expect(realtime).toMatchObject({
      deployment: 'gpt-realtime',
      clientSecret: expect.stringMatching(/^ek_/),
      webrtcUrl: `${llm.endpoint}/openai/v1/realtime/calls`,
      websocketUrl: `${llm.endpoint.replace('http:', 'ws:')}/openai/v1/realtime?model=gpt-realtime`,
    });
    expect(Date.parse(realtime.expiresAt as string)).toBeGreaterThan(Date.now());

    const minted = llm.requests().find((r) => r.operation === 'realtime/client_secrets')!;
    expect(minted.auth).toBe('bearer');
    const session = minted.body.session as Json;
    expect(session).toMatchObject({
      type: 'realtime',
      model: 'gpt-realtime',
      audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 600 } }, output: { voice: 'coral' } },
      tools: [{ type: 'function', name: 'rt_weather', description: 'Weather now', parameters: { type: 'object' } }],
    });
    expect(session.instructions).toContain('Speak warmly.');

    // The client runs the model's tool calls through function-calls with the session token.
    const ran = await call('public-session-function-call', {
      headers: bearer(opened.json!.token as string),
      params: { id: opened.json!.connection.id as string },
      body: { callId: 'rt_call_1', name: 'rt_weather', arguments: '{"city":"Bergen"}' },
    });
    expect(ran.json).toMatchObject({ outcome: 'ok', output: JSON.stringify({ temperatureC: 18 }) });

    // A text connection gets no realtime credentials.
    const text = await call('public-agent-connection-create', { headers: key(), params: { agentId: agent.json!.id as string }, body: { channelType: 'text' } });
    expect(text.json).not.toHaveProperty('realtime');
  });

  it('when the realtime model cannot start, the connection fails with 503 and the session closes as initialization_failed', async () => {
    const agent = await call('public-agent-create', { headers: key(), body: { companionId: stock.id, name: 'Voice agent 2', voiceId: 'coral' } });
    llm.failNext(3, { status: 500 });
    const opened = await call('public-agent-connection-create', { headers: key(), params: { agentId: agent.json!.id as string }, body: { channelType: 'websocket' } });
    expect(opened.status).toBe(503);
    expect(opened.json).toMatchObject({ code: 'RealtimeUnavailable' });
    const closed = await call('public-sessions-list', { headers: key(), query: 'status=closed' });
    expect(closed.json!.items.some((s: Json) => s.closeReason === 'initialization_failed' && s.channelType === 'websocket')).toBe(true);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceProcess, type ServiceProcess } from '../../local/service-process.js';
import { startFakeAzureOpenAI, type FakeAzureOpenAI } from '../fakes/azure-openai.js';
import { startFakeToolServer, type FakeToolServer } from '../fakes/tool-server.js';

/**
 * A conversation as a user holds one: `npm start` in a child process (the local Functions host with its queue and
 * blob triggers), an agent assembled from a stock companion, an FAQ collection, a knowledge base with an uploaded
 * file, an explicit and an implicit function, and a text session, with the Azure OpenAI fake as the model and the
 * fake tool server as the customer's endpoint. A second service without a model answers from FAQs and knowledge.
 */

const API_KEY = 'e2e_conversation_key_0123456789abcdef';
const ADMIN_TOKEN = 'e2e_conversation_admin_0123456789abcdef';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test asserts the fields it reads
type Json = Record<string, any>;

const MANUAL = [
  '# Care guide',
  '',
  '## Warranty',
  '',
  'Every kettle carries a warranty of 24 months from the date of purchase, covering the heating element and the lid hinge.',
  '',
  '## Descaling',
  '',
  'Descale the kettle once a month with a solution of one part white vinegar to two parts water.',
  '',
].join('\n');

const dataDirs: string[] = [];
let llm: FakeAzureOpenAI;
let tools: FakeToolServer;
let service: ServiceProcess;
let offline: ServiceProcess;

async function call(target: ServiceProcess, method: string, route: string, options: { body?: unknown; bearer?: string } = {}) {
  const headers: Record<string, string> = options.bearer === undefined ? { 'x-api-key': API_KEY } : { authorization: `Bearer ${options.bearer}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${target.url}/${route}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, json: (text === '' ? {} : JSON.parse(text)) as Json };
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** An FAQ collection, a knowledge base with the care guide (ingested by the blob trigger), and an agent using both. */
async function assemble(target: ServiceProcess, functionIds: string[]): Promise<string> {
  const faq = await call(target, 'POST', 'public/faqs', {
    body: { name: 'Store', faqs: [{ question: 'What are your opening hours?', answer: 'We are open 9 to 5, Monday to Friday.' }] },
  });
  expect(faq.status).toBe(201);
  const base = await call(target, 'POST', 'public/knowledge-bases', { body: { name: 'Manuals' } });
  const form = new FormData();
  form.append('file', new Blob([MANUAL], { type: 'text/markdown' }), 'care-guide.md');
  const uploaded = await fetch(`${target.url}/public/knowledge-bases/${base.json.id}/files`, { method: 'POST', headers: { 'x-api-key': API_KEY }, body: form });
  expect(uploaded.status).toBe(201);
  const file = (await uploaded.json()) as Json;
  await until(
    'the knowledge file becomes ready',
    async () => (await call(target, 'GET', `public/knowledge-bases/${base.json.id}/files/${file.id}`)).json.status,
    (status) => status === 'ready',
  );
  const stock = (await call(target, 'GET', 'public/companions/stock')).json.items[0];
  const agent = await call(target, 'POST', 'public/agents', {
    body: {
      companionId: stock.id,
      name: 'Kettle help',
      voiceId: 'coral',
      faqCollections: [faq.json.id],
      knowledgeBaseId: base.json.id,
      functions: functionIds,
      providerSettings: { instructions: 'Help customers with their kettles.' },
    },
  });
  expect(agent.status, JSON.stringify(agent.json)).toBe(201);
  return agent.json.id as string;
}

async function connect(target: ServiceProcess, agentId: string): Promise<{ id: string; token: string }> {
  const opened = await call(target, 'POST', `public/agents/${agentId}/connections`, { body: { channelType: 'text', externalClientId: 'buyer-1' } });
  expect(opened.status).toBe(201);
  return { id: opened.json.connection.id, token: opened.json.token };
}

const say = (target: ServiceProcess, session: { id: string; token: string }, text: string) =>
  call(target, 'POST', `public/sessions/${session.id}/messages`, { bearer: session.token, body: { text } });

beforeAll(async () => {
  llm = await startFakeAzureOpenAI();
  tools = await startFakeToolServer();
  const dir = () => {
    const made = mkdtempSync(path.join(os.tmpdir(), 'companion-conversation-'));
    dataDirs.push(made);
    return made;
  };
  const common = { COMPANION_BOOTSTRAP_API_KEY: API_KEY, COMPANION_DEV_ADMIN_TOKEN: ADMIN_TOKEN, COMPANION_ALLOW_PRIVATE_URLS: '1' };
  [service, offline] = await Promise.all([
    startServiceProcess({
      ...common,
      COMPANION_DATA_DIR: dir(),
      AZURE_OPENAI_ENDPOINT: llm.endpoint,
      AZURE_OPENAI_API_KEY: llm.apiKey,
      AZURE_OPENAI_CHAT_DEPLOYMENT: 'gpt-4o',
    }),
    startServiceProcess({ ...common, COMPANION_DATA_DIR: dir() }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([service?.stop(), offline?.stop()]);
  await tools?.close();
  await llm?.close();
  for (const made of dataDirs) rmSync(made, { recursive: true, force: true });
}, 60_000);

describe('a text conversation through the local host, with a language model', () => {
  let session: { id: string; token: string };

  beforeAll(async () => {
    tools.on('/orders', { kind: 'json', body: ({ arguments: args }) => ({ order: (args as Json).orderId, status: 'shipped' }) });
    const explicit = await call(service, 'POST', 'public/functions', {
      body: {
        data: { name: 'order_status', parameters: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] } },
        flow: 'explicit',
        url: `${tools.httpUrl}/orders`,
        prompt: 'Use it when a customer asks where an order is.',
      },
    });
    expect(explicit.status).toBe(201);
    tools.setSecret('/orders', explicit.json.signingSecret);
    const implicit = await call(service, 'POST', 'public/functions', {
      body: { data: { name: 'show_product_page' }, flow: 'implicit', timeoutMs: 1500 },
    });
    expect(implicit.status).toBe(201);
    const agentId = await assemble(service, [explicit.json.id, implicit.json.id]);
    session = await connect(service, agentId);
  }, 60_000);

  it('answers an FAQ question with the matching pair given to the model', async () => {
    llm.reset();
    llm.script({ content: 'We are open 9 to 5, Monday to Friday.' });
    const reply = await say(service, session, 'What are your opening hours?');
    expect(reply.json.reply.text).toBe('We are open 9 to 5, Monday to Friday.');
    const request = llm.requests().find((r) => r.operation === 'chat/completions')!.body as Json;
    expect(request.messages.at(-1)).toEqual({
      role: 'system',
      content: expect.stringContaining('We are open 9 to 5, Monday to Friday.'),
    });
  });

  it('answers a knowledge question from the right passage', async () => {
    llm.reset();
    llm.script(
      { toolCalls: [{ id: 'k1', name: 'search_knowledge', arguments: { query: 'how long is the warranty' } }] },
      { content: 'Your kettle has a 24-month warranty.' },
    );
    const reply = await say(service, session, 'How long is the warranty?');
    expect(reply.json.reply.text).toBe('Your kettle has a 24-month warranty.');
    const results = JSON.parse(reply.json.toolCalls[0].output).results as Json[];
    expect(results[0]).toMatchObject({ fileName: 'care-guide.md' });
    expect(results[0]!.text).toContain('warranty of 24 months');
  });

  it('calls the explicit function with a valid signature and its result reaches the reply', async () => {
    llm.reset();
    llm.script({ toolCalls: [{ id: 'o1', name: 'order_status', arguments: { orderId: 'A-100' } }] }, { content: 'Order A-100 has shipped.' });
    const reply = await say(service, session, 'Where is order A-100?');
    expect(reply.json).toMatchObject({ reply: { text: 'Order A-100 has shipped.' }, toolCalls: [{ outcome: 'ok' }] });
    const request = tools.requests().at(-1)!;
    expect(request).toMatchObject({ path: '/orders', signatureValid: true });
    expect(JSON.parse(request.body)).toMatchObject({ name: 'order_status', arguments: { orderId: 'A-100' }, sessionId: session.id, externalClientId: 'buyer-1' });
  });

  it('round-trips an implicit function through function-outputs', async () => {
    llm.reset();
    llm.script({ toolCalls: [{ id: 'p1', name: 'show_product_page', arguments: { sku: 'K-2' } }] }, { content: 'Here is the K-2 page.' });
    const first = await say(service, session, 'Show me the K-2');
    expect(first.json).toMatchObject({ reply: null, events: [{ type: 'function_implicitly_called', callId: 'p1' }] });
    const answered = await call(service, 'POST', `public/sessions/${session.id}/function-outputs`, {
      bearer: session.token,
      body: { callId: 'p1', output: '{"shown":true}' },
    });
    expect(answered.json).toMatchObject({ reply: { text: 'Here is the K-2 page.' }, pendingCallIds: [] });
  });

  it('an implicit call left unanswered times out through the queue-triggered check, and the model is told', async () => {
    llm.reset();
    llm.script({ toolCalls: [{ id: 'p2', name: 'show_product_page', arguments: { sku: 'K-3' } }] }, { content: 'The page did not open.' });
    const first = await say(service, session, 'Show me the K-3');
    expect(first.json.pendingCallIds).toEqual(['p2']);
    const settled = await until(
      'the wait is settled by the timeout check',
      async () => (await call(service, 'GET', `public/sessions/${session.id}`)).json,
      // Settled first, then the turn resumes and its reply is recorded: wait for the reply.
      (s) => s.pendingFunctionCalls.length === 0 && s.transcript.at(-1)?.role === 'assistant',
    );
    expect(settled.transcript.at(-1)).toMatchObject({ role: 'assistant', text: 'The page did not open.', toolCalls: [{ callId: 'p2', outcome: 'timeout' }] });
    const told = llm.requests().filter((r) => r.operation === 'chat/completions').at(-1)!.body as Json;
    expect(told.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'p2', content: expect.stringContaining('function_call_timeout') });
  });
});

describe('the event stream through the local host', () => {
  it('streams events as they happen and ends after session_closed', async () => {
    const agentId = (await call(service, 'GET', 'public/agents')).json.items[0].id as string;
    const session = await connect(service, agentId);
    const response = await fetch(`${service.url}/public/sessions/${session.id}/events`, { headers: { authorization: `Bearer ${session.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString('utf8');
      }
    };
    llm.reset();
    llm.script({ content: 'Streaming works.' });
    await say(service, session, 'Hello stream');
    // The reply arrives on the open stream, not after it ends.
    await readUntil('Streaming works.');
    expect(text).toContain('event: message_received');
    await call(service, 'DELETE', `public/connections/${session.id}`);
    await readUntil('event: session_closed');
    expect(text).toContain('"closeReason":"connection_closed"');
    const { done } = await reader.read();
    expect(done).toBe(true);
  }, 30_000);
});

describe('a text conversation through the local host, without a language model', () => {
  it('answers from the FAQ and from the knowledge base, and says no model is configured', async () => {
    const agentId = await assemble(offline, []);
    const session = await connect(offline, agentId);
    const faq = await say(offline, session, 'What are your opening hours?');
    expect(faq.json).toMatchObject({ reply: { text: 'We are open 9 to 5, Monday to Friday.' }, events: [{ type: 'no_language_model' }], toolCalls: [] });
    const knowledge = await say(offline, session, 'How often should I descale the kettle?');
    expect(knowledge.json.reply.text).toContain('No language model is configured');
    expect(knowledge.json.reply.text).toContain('once a month');
    expect(knowledge.json.toolCalls).toEqual([]);
  }, 60_000);
});

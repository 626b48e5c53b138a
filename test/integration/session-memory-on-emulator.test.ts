import { InvocationContext } from '@azure/functions';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { CosmosClientMemoryRepository } from '../../shared/adapters/cosmos/client-memory-repository.js';
import { CountedContainer } from '../../shared/adapters/cosmos/counted-container.js';
import { SESSION_MEMORY_QUEUE } from '../../shared/adapters/queues.js';
import { clientMemoryId, emptyClientMemory, mergeSessionContribution } from '../../shared/domain/client-memory.js';
import { PreconditionFailedError } from '../../shared/domain/errors.js';
import type { ApiKeyPrincipal } from '../../shared/domain/api-key-principal.js';
import type { Session } from '../../shared/domain/session.js';
import { STOCK_COMPANIONS } from '../../shared/domain/stock-companions.js';
import type { Runtime } from '../../shared/runtime.js';
import { startFakeAzureOpenAI, type FakeAzureOpenAI } from '../fakes/azure-openai.js';
import { registrations } from './helpers/function-registrations.js';
import { call, type Json } from './helpers/http-harness.js';
import { bootstrappedRuntime, releaseRuntime } from './helpers/test-runtime.js';

vi.mock('@azure/functions', async (importOriginal) =>
  (await import('./helpers/function-registrations.js')).capturingFunctionsModule(await importOriginal()),
);

const BOOTSTRAP_SECRET = 'bootstrap-secret-memory-0123456789abcdef';
const SESSION_SECRET = 'session-token-secret-memory-0123456789ab';
const PROJECT = 'proj_local';
const stock = STOCK_COMPANIONS[0]!;

const key = () => ({ 'x-api-key': BOOTSTRAP_SECRET });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let runtime: Runtime | undefined;
let principal: ApiKeyPrincipal;

async function startRuntime(prefix: string, settings: Record<string, string> = {}): Promise<void> {
  const started = await bootstrappedRuntime(prefix, { apiKeySecret: BOOTSTRAP_SECRET, settings: { SESSION_TOKEN_SECRET: SESSION_SECRET, ...settings } });
  runtime = started.runtime;
  const { project, apiKeyId } = started.bootstrap;
  principal = { keyId: apiKeyId, projectId: project.id, orgId: project.orgId, hosting: 'hosted' };
  await import('../../functions/index.js');
}

async function createAgent(): Promise<string> {
  const agent = await call('public-agent-create', {
    headers: key(),
    body: { companionId: stock.id, name: 'Bike shop', voiceId: 'coral', language: 'en', providerSettings: { instructions: 'Be brief.' } },
  });
  expect(agent.status).toBe(201);
  return agent.json!.id as string;
}

/** Opens a text connection as the person; connection requests are limited per key and second, so a 429 waits. */
async function connect(agentId: string, externalClientId: string): Promise<{ token: string; connection: { id: string } }> {
  for (let attempt = 0; ; attempt += 1) {
    const created = await call('public-agent-connection-create', { headers: key(), params: { agentId }, body: { channelType: 'text', externalClientId } });
    if (created.status !== 429 || attempt === 5) {
      expect(created.status).toBe(201);
      return created.json as { token: string; connection: { id: string } };
    }
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  }
}

/** A conversation through the public API: connect as the person, say each message, end the connection. */
async function converse(agentId: string, externalClientId: string, messages: readonly string[]): Promise<Session> {
  const { token, connection } = await connect(agentId, externalClientId);
  for (const text of messages) {
    const reply = await call('public-session-message', { headers: bearer(token), params: { id: connection.id }, body: { text } });
    expect(reply.status).toBe(200);
  }
  const ended = await call('public-connection-delete', { headers: key(), params: { id: connection.id } });
  expect(ended.status).toBe(200);
  const session = await runtime!.services.sessions.get(principal, connection.id);
  expect(session).toMatchObject({ status: 'closed', externalClientId, companionId: stock.id });
  return session;
}

/** The queue-triggered function, called as the host would with the decoded message. */
async function runMemoryJob(message: unknown): Promise<void> {
  await registrations.queues.get('session-memory')!.handler(message, new InvocationContext({ functionName: 'session-memory' }));
}

async function storedDocument(externalClientId: string): Promise<Json | undefined> {
  const { resource } = await runtime!.cosmosDatabase.container('client-memories').item(clientMemoryId(stock.id, externalClientId), PROJECT).read<Json>();
  return resource;
}

describe('memory of an externalClientId without a language model (extractive)', () => {
  let agentId: string;

  beforeAll(async () => {
    await startRuntime('memory-extractive');
    agentId = await createAgent();
  });

  afterAll(async () => {
    await releaseRuntime(runtime);
    runtime = undefined;
  });

  it('queues a closed session on session-memory, and the job stores its facts and summary for that companion and person', async () => {
    const first = await converse(agentId, 'anna-1', ["Hi, I'm Anna and I live in Hamburg.", "I'm allergic to latex. Do you have city bikes?"]);

    await runtime!.services.memory.enqueueExtraction(first);
    const queue = QueueServiceClient.fromConnectionString(inject('storageConnectionString')).getQueueClient(SESSION_MEMORY_QUEUE);
    const received = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
    // The queue is shared with other test files: only this session's messages are ours (the close itself may have
    // queued one too, once the close hook calls enqueueExtraction).
    const mine = received.receivedMessageItems
      .map((m) => ({ m, body: JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as Json }))
      .filter((x) => x.body.sessionId === first.id);
    expect(mine.length).toBeGreaterThanOrEqual(1);
    for (const { body } of mine) expect(body).toEqual({ projectId: PROJECT, sessionId: first.id });
    for (const { m } of mine) await queue.deleteMessage(m.messageId, m.popReceipt);

    await runMemoryJob(mine[0]!.body);
    expect(await runtime!.services.memory.memoryFor(PROJECT, stock.id, 'anna-1')).toEqual({
      summary: 'Talked about city bikes. Asked "Do you have city bikes?"',
      facts: ['Name is Anna', 'Lives in Hamburg', 'Is allergic to latex'],
    });
    expect(await runtime!.services.memory.memoryFor(PROJECT, stock.id, 'ben-2')).toBeUndefined();
    expect(await runtime!.services.memory.memoryFor(PROJECT, 'comp_other', 'anna-1')).toBeUndefined();

    const document = await storedDocument('anna-1');
    expect(document).toMatchObject({
      projectId: PROJECT,
      companionId: stock.id,
      externalClientId: 'anna-1',
      facts: [
        { text: 'Name is Anna', sessionIds: [first.id] },
        { text: 'Lives in Hamburg', sessionIds: [first.id] },
        { text: 'Is allergic to latex', sessionIds: [first.id] },
      ],
      sessions: [{ sessionId: first.id, at: first.closedAt }],
    });
  });

  it('a second session adds to the memory, a repeated job changes nothing, and forgetting a session removes exactly its part', async () => {
    const first = await converse(agentId, 'carla-3', ['My name is Carla. I live in Lyon.']);
    const second = await converse(agentId, 'carla-3', ['I live in Lyon and I prefer e-mail over phone calls.', 'I have two kids.']);
    expect(await runtime!.services.memory.extract({ projectId: PROJECT, sessionId: first.id })).toBe('stored');
    expect(await runtime!.services.memory.extract({ projectId: PROJECT, sessionId: second.id })).toBe('stored');
    const both = await runtime!.services.memory.memoryFor(PROJECT, stock.id, 'carla-3');
    expect(both?.facts).toEqual(['Name is Carla', 'Lives in Lyon', 'Prefers e-mail over phone calls', 'Has two kids']);

    const etagBefore = (await storedDocument('carla-3'))?._etag;
    expect(await runtime!.services.memory.extract({ projectId: PROJECT, sessionId: second.id })).toBe('stored');
    expect(await runtime!.services.memory.memoryFor(PROJECT, stock.id, 'carla-3')).toEqual(both);
    expect((await storedDocument('carla-3'))?._etag).not.toBe(etagBefore);

    await runtime!.services.memory.forgetSession(second);
    // "Lives in Lyon" was said in the first session too.
    expect(await runtime!.services.memory.memoryFor(PROJECT, stock.id, 'carla-3')).toEqual({ facts: ['Name is Carla', 'Lives in Lyon'] });
    await runtime!.services.memory.forgetSession(first);
    expect(await runtime!.services.memory.memoryFor(PROJECT, stock.id, 'carla-3')).toBeUndefined();
    expect(await storedDocument('carla-3')).toBeUndefined();
  });

  it('the Cosmos repository writes only on the ETag it read: a second create and a stale replace or delete are refused', async () => {
    const repository = new CosmosClientMemoryRepository(new CountedContainer(runtime!.cosmosDatabase.container('client-memories')));
    const key = { projectId: PROJECT, companionId: stock.id, externalClientId: 'gus-7' };
    const now = new Date();
    const record = mergeSessionContribution(emptyClientMemory(key, now), { sessionId: 'sess_a', at: now.toISOString(), facts: ['Has a dog'] }, now);
    const created = await repository.put(record, undefined);
    await expect(repository.put(record, undefined)).rejects.toBeInstanceOf(PreconditionFailedError);
    const changed = await repository.put(mergeSessionContribution(created, { sessionId: 'sess_b', at: now.toISOString(), facts: ['Is vegan'] }, now), created.etag);
    expect(changed.facts.map((f) => f.text)).toEqual(['Has a dog', 'Is vegan']);
    await expect(repository.put(created, created.etag)).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(repository.delete(key, created.etag)).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(await repository.get({ ...key, projectId: 'proj_other' })).toBeUndefined();
    await repository.delete(key, changed.etag);
    expect(await repository.get(key)).toBeUndefined();
    await repository.delete(key, changed.etag);
  });

  it('skips a session still open and drops a malformed message', async () => {
    const { token, connection } = await connect(agentId, 'dan-4');
    await call('public-session-message', { headers: bearer(token), params: { id: connection.id }, body: { text: 'I live in Madrid.' } });
    expect(await runtime!.services.memory.extract({ projectId: PROJECT, sessionId: connection.id })).toBe('skipped');
    expect(await runtime!.services.memory.memoryFor(PROJECT, stock.id, 'dan-4')).toBeUndefined();
    await call('public-connection-delete', { headers: key(), params: { id: connection.id } });
    await expect(runMemoryJob({ projectId: PROJECT })).resolves.toBeUndefined();
    expect(await runtime!.services.memory.extract({ projectId: PROJECT, sessionId: 'sess_missing' })).toBe('skipped');
  });
});

describe('memory of an externalClientId with Azure OpenAI (the fake)', () => {
  let fake: FakeAzureOpenAI;
  let agentId: string;

  beforeAll(async () => {
    fake = await startFakeAzureOpenAI();
    await startRuntime('memory-llm', {
      COMPANION_ALLOW_PRIVATE_URLS: '1',
      AZURE_OPENAI_ENDPOINT: fake.endpoint,
      AZURE_OPENAI_API_KEY: fake.apiKey,
      AZURE_OPENAI_CHAT_DEPLOYMENT: 'gpt-4o',
    });
    agentId = await createAgent();
  });

  afterAll(async () => {
    await releaseRuntime(runtime);
    runtime = undefined;
    await fake.close();
  });

  it("the session's chat model extracts the memory from the conversation, as strict JSON", async () => {
    const session = await converse(agentId, 'eve-5', ['I am Eve, I just moved to Porto.', 'Which bike is best for hills?']);
    fake.reset();
    fake.script({
      content: JSON.stringify({ summary: 'Eve asked which bike suits the hills of Porto.', facts: ['Name is Eve', 'Lives in Porto', 'Rides in hilly terrain'] }),
    });

    await runMemoryJob({ projectId: PROJECT, sessionId: session.id });

    expect(await runtime!.services.memory.memoryFor(PROJECT, stock.id, 'eve-5')).toEqual({
      summary: 'Eve asked which bike suits the hills of Porto.',
      facts: ['Name is Eve', 'Lives in Porto', 'Rides in hilly terrain'],
    });
    const chats = fake.requests().filter((r) => r.operation === 'chat/completions');
    expect(chats).toHaveLength(1);
    expect(chats[0]).toMatchObject({ deployment: 'gpt-4o', body: { response_format: { type: 'json_object' }, temperature: 0 } });
    const messages = chats[0]!.body['messages'] as { role: string; content: string }[];
    expect(messages[0]!.content).toContain('durable facts about the user only');
    expect(messages[1]!.content).toContain('User: I am Eve, I just moved to Porto.');
    // The agent's replies came from the same fake (an echo) and are part of what the model reads.
    expect(messages[1]!.content).toContain('Assistant: You said: I am Eve, I just moved to Porto.');
  });

  it('an answer that is not JSON falls back to the extractive memory; forgetting the session removes it', async () => {
    const session = await converse(agentId, 'finn-6', ['I live in Oslo and I love cross-country skiing.']);
    fake.reset();
    fake.script({ content: 'Finn lives in Oslo.' });

    expect(await runtime!.services.memory.extract({ projectId: PROJECT, sessionId: session.id })).toBe('stored');
    expect((await runtime!.services.memory.memoryFor(PROJECT, stock.id, 'finn-6'))?.facts).toEqual(['Lives in Oslo', 'Loves cross-country skiing']);

    await runtime!.services.memory.forgetSession(session);
    expect(await runtime!.services.memory.memoryFor(PROJECT, stock.id, 'finn-6')).toBeUndefined();
  });
});

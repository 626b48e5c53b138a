import { InvocationContext, type HttpResponseInit } from '@azure/functions';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SESSION_EVENTS_QUEUE } from '../../shared/adapters/queues.js';
import { STOCK_COMPANIONS } from '../../shared/domain/stock-companions.js';
import type { Runtime } from '../../shared/runtime.js';
import { RecordingEventPublisher } from '../unit/fakes/in-memory-companion-ports.js';
import { ManualClock } from '../unit/fakes/test-services.js';
import { registrations } from './helpers/function-registrations.js';
import { call, invokeHttp, type Json } from './helpers/http-harness.js';
import { bootstrappedRuntime, releaseRuntime } from './helpers/test-runtime.js';
import { inject } from 'vitest';

vi.mock('@azure/functions', async (importOriginal) =>
  (await import('./helpers/function-registrations.js')).capturingFunctionsModule(await importOriginal()),
);

const BOOTSTRAP_SECRET = 'bootstrap-secret-lifecycle-0123456789abcdef';
const key = () => ({ 'x-api-key': BOOTSTRAP_SECRET });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const stock = STOCK_COMPANIONS[0]!;

let runtime: Runtime | undefined;
const clock = new ManualClock(new Date());
const webhookEvents = new RecordingEventPublisher();

async function agentWith(settings: Json): Promise<string> {
  const agent = await call('public-agent-create', {
    headers: key(),
    body: { companionId: stock.id, name: `Lifecycle ${Math.random()}`.slice(0, 40), voiceId: 'coral', ...settings },
  });
  expect(agent.status, JSON.stringify(agent.json)).toBe(201);
  return agent.json!.id as string;
}

async function open(agentId: string, body: Json = {}): Promise<{ id: string; token: string }> {
  const opened = await call('public-agent-connection-create', { headers: key(), params: { agentId }, body: { channelType: 'text', ...body } });
  expect(opened.status).toBe(201);
  return { id: opened.json!.connection.id as string, token: opened.json!.token as string };
}

const session = async (id: string) => (await call('public-session-get', { headers: key(), params: { id } })).json!;
const say = (s: { id: string; token: string }, text: string) =>
  call('public-session-message', { headers: bearer(s.token), params: { id: s.id }, body: { text } });
const advance = (seconds: number) => clock.advance(seconds * 1000);
const sweep = () => runtime!.services.sessionLifecycle.sweep();

/** Reads a server-sent event stream until it ends, as the events route writes it. */
async function readStream(response: HttpResponseInit): Promise<{ id: number; event: string; data: Json }[]> {
  let text = '';
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) text += Buffer.from(chunk).toString('utf8');
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('id: '))
    .map((block) => {
      const fields = Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
      return { id: Number(fields['id']), event: fields['event'] as string, data: JSON.parse(fields['data'] as string) as Json };
    });
}

const sessionEvent = (message: Json) =>
  registrations.queues.get('session-events')!.handler(message, new InvocationContext({ functionName: 'session-events' }));

beforeAll(async () => {
  ({ runtime } = await bootstrappedRuntime('session-lifecycle', {
    apiKeySecret: BOOTSTRAP_SECRET,
    settings: { SESSION_TOKEN_TTL_SECONDS: '120' },
    options: { clock, events: webhookEvents },
  }));
  await import('../../functions/index.js');
});

afterAll(() => releaseRuntime(runtime));

describe('session lifecycle', () => {
  it('a session whose token is never used closes with connection_timeout, never active, costing nothing', async () => {
    const agentId = await agentWith({});
    const s = await open(agentId);
    const pending = await session(s.id);
    expect(pending).toMatchObject({ status: 'pending', activeSeconds: 0 });
    // The token's expiry, in whole seconds: 119-120 s after the creation.
    expect(Date.parse(pending.startBy) - Date.parse(pending.createdAt)).toBeGreaterThan(119_000);
    expect(Date.parse(pending.startBy) - Date.parse(pending.createdAt)).toBeLessThanOrEqual(120_000);
    advance(119);
    await sweep();
    expect((await session(s.id)).status).toBe('pending');
    advance(2);
    await sweep();
    expect(await session(s.id)).toMatchObject({
      status: 'closed',
      closeReason: 'connection_timeout',
      activeSeconds: 0,
      cost: { currency: 'USD', amountMicros: 0, amount: 0, billedMinutes: 0 },
    });
  });

  it('an idle session gets warnings 60, 30 and 10 s before its idle close, then closes with idle_timeout; the stream shows it all', async () => {
    const agentId = await agentWith({ idleTimeoutSeconds: 120 });
    const s = await open(agentId);
    expect((await say(s, 'hello')).status).toBe(200);
    const started = await session(s.id);
    expect(started).toMatchObject({ status: 'started', lastActivityAt: started.startedAt });

    // Other tests' sessions share the database: each sweep is judged by this session alone.
    const warnings = async () => ((await session(s.id)) as Json & { status: string }).status;
    advance(59);
    await sweep();
    advance(2); // 61 s idle: 59 s left, the 60 s warning
    await sweep();
    await sweep(); // a second sweep sends nothing more
    advance(30); // 91 s
    await sweep();
    advance(20); // 111 s
    await sweep();
    expect(await warnings()).toBe('started');
    advance(10); // 121 s
    await sweep();
    const closed = await session(s.id);
    expect(closed).toMatchObject({ status: 'closed', closeReason: 'idle_timeout', activeSeconds: 120 });
    // 120 s active: 2 billed minutes at the hosted price.
    expect(closed.cost).toEqual({ currency: 'USD', billedMinutes: 2, amountMicros: 116_000, amount: 0.116 });

    const stream = await invokeHttp('public-session-events', { params: { id: s.id }, headers: bearer(s.token) });
    expect(stream.status).toBe(200);
    expect((stream.headers as Record<string, string>)['Content-Type']).toBe('text/event-stream');
    const events = await readStream(stream);
    expect(events.map((e) => e.event)).toEqual([
      'message_received',
      'message_received',
      'avatar_connection_warning',
      'avatar_connection_warning',
      'avatar_connection_warning',
      'session_closed',
    ]);
    expect(events.filter((e) => e.event === 'avatar_connection_warning').map((e) => e.data.disconnect_after)).toEqual([60, 30, 10]);
    expect(events.at(-1)!.data).toMatchObject({ closeReason: 'idle_timeout', activeSeconds: 120 });
    expect(events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);

    // Resuming with Last-Event-ID sends only what came after.
    const resumed = await invokeHttp('public-session-events', { params: { id: s.id }, headers: { ...bearer(s.token), 'last-event-id': '4' } });
    expect((await readStream(resumed)).map((e) => e.id)).toEqual([5, 6]);

    // The turn runtime refuses a closed session.
    expect((await say(s, 'are you there?')).json).toMatchObject({ code: 'SessionClosed' });
    // Its webhook events: started and closed, once each.
    const types = webhookEvents.events.filter((e) => (e.data as Json).session?.id === s.id).map((e) => e.type);
    expect(types).toEqual(['session.started', 'session.closed']);
  });

  it('activity resets the idle clock and its warnings; a call after the idle deadline closes instead of reviving', async () => {
    const agentId = await agentWith({ idleTimeoutSeconds: 60 });
    const s = await open(agentId);
    await say(s, 'hi');
    advance(55); // 5 s left: the 10 s warning is due
    await sweep();
    expect((await session(s.id)).status).toBe('started');

    // POST activity queues an activity event, which the queue-triggered owner of session state applies.
    const queued = await call('public-session-activity', { headers: bearer(s.token), params: { id: s.id } });
    expect(queued.status).toBe(202);
    const queue = QueueServiceClient.fromConnectionString(inject('storageConnectionString')).getQueueClient(SESSION_EVENTS_QUEUE);
    const received = await queue.receiveMessages({ numberOfMessages: 32 });
    const mine = received.receivedMessageItems
      .map((m) => ({ m, body: JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as Json }))
      .filter((x) => x.body.sessionId === s.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toMatchObject({ type: 'activity', projectId: 'proj_local', sessionId: s.id, at: clock.now().toISOString() });
    await sessionEvent(mine[0]!.body);
    for (const { m } of mine) await queue.deleteMessage(m.messageId, m.popReceipt);

    const refreshed = await session(s.id);
    expect(refreshed.lastActivityAt).toBe(clock.now().toISOString());
    advance(55);
    await sweep();
    expect((await session(s.id)).status).toBe('started');
    advance(6); // past the idle deadline, before any sweep
    expect((await say(s, 'still here')).json).toMatchObject({ code: 'SessionClosed', detail: expect.stringContaining('idle_timeout') });
    expect(await session(s.id)).toMatchObject({ status: 'closed', closeReason: 'idle_timeout' });
  });

  it('closes a session at its maximum duration with session_expired, however active', async () => {
    const agentId = await agentWith({ maxSessionSeconds: 60, disableIdleTimeout: true });
    const s = await open(agentId);
    await say(s, 'one');
    advance(50);
    await say(s, 'two');
    advance(11);
    await sweep();
    expect(await session(s.id)).toMatchObject({ status: 'closed', closeReason: 'session_expired', activeSeconds: 60, cost: { billedMinutes: 1 } });
  });

  it('applies media-tier events once: repeated and reordered events never count time twice', async () => {
    const agentId = await agentWith({ disableIdleTimeout: true });
    const s = await open(agentId, { channelType: 'webrtc' });
    const t0 = clock.now().getTime();
    const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();
    const base = { projectId: 'proj_local', sessionId: s.id };
    await sessionEvent({ ...base, eventId: 'e2', type: 'activity', at: at(10) });
    await sessionEvent({ ...base, eventId: 'e1', type: 'started', at: at(5) });
    await sessionEvent({ ...base, eventId: 'e1', type: 'started', at: at(5) });
    expect(await session(s.id)).toMatchObject({ status: 'started', startedAt: at(5), lastActivityAt: at(10) });
    await sessionEvent({ ...base, eventId: 'e3', type: 'closed', at: at(70) });
    await sessionEvent({ ...base, eventId: 'e3', type: 'closed', at: at(70) });
    await sessionEvent({ ...base, eventId: 'e4', type: 'closed', at: at(200), closeReason: 'function_connection_failed' });
    await sessionEvent({ ...base, eventId: 'e5', type: 'activity', at: at(90) });
    await sessionEvent({ ...base, eventId: 'bad', type: 'exploded', at: at(91) });
    expect(await session(s.id)).toMatchObject({
      status: 'closed',
      closeReason: 'connection_closed',
      startedAt: at(5),
      closedAt: at(70),
      activeSeconds: 65,
      cost: { billedMinutes: 2, amountMicros: 116_000 },
    });
    const closes = webhookEvents.events.filter((e) => e.type === 'session.closed' && (e.data as Json).session?.id === s.id);
    expect(closes).toHaveLength(1);
  });

  it('DELETE /public/connections ends a session; only a closed session can be deleted; lists filter sessions', async () => {
    const agentId = await agentWith({});
    const never = await open(agentId, { tags: { team: 'blue' } });
    const used = await open(agentId, { externalClientId: 'buyer-9', tags: { team: 'blue' } });
    await say(used, 'Where is my parcel?');
    advance(30);

    expect((await call('public-session-delete', { headers: key(), params: { id: used.id } })).json).toMatchObject({ code: 'SessionNotClosed' });
    const ended = await call('public-connection-delete', { headers: key(), params: { id: used.id } });
    expect(ended.json).toMatchObject({ status: 'closed', closeReason: 'connection_closed', activeSeconds: 30, cost: { billedMinutes: 1, amountMicros: 58_000 } });
    const again = await call('public-connection-delete', { headers: key(), params: { id: used.id } });
    expect(again.json).toMatchObject({ closedAt: ended.json!.closedAt });
    expect((await call('public-connection-delete', { headers: key(), params: { id: never.id } })).json).toMatchObject({ closeReason: 'not_started' });

    const blue = await call('public-sessions-list', { headers: key(), query: 'tags=team:blue' });
    expect(blue.json!.items.map((i: Json) => i.id).sort()).toEqual([never.id, used.id].sort());
    expect(blue.json!.items[0]).not.toHaveProperty('transcript');
    const searched = await call('public-sessions-list', { headers: key(), query: 'search=PARCEL' });
    expect(searched.json!.items.map((i: Json) => i.id)).toEqual([used.id]);
    const byClient = await call('public-sessions-list', { headers: key(), query: 'externalClientId=buyer-9&status=closed' });
    expect(byClient.json).toMatchObject({ filteredCount: 1, items: [{ id: used.id }] });

    expect((await call('public-session-delete', { headers: key(), params: { id: used.id } })).status).toBe(204);
    expect((await call('public-session-get', { headers: key(), params: { id: used.id } })).status).toBe(404);
  });

  it('renews the token of an open session, not of a closed one', async () => {
    const agentId = await agentWith({});
    const s = await open(agentId);
    const renewed = await call('public-session-token-renew', { headers: bearer(s.token), params: { id: s.id } });
    expect(renewed.status).toBe(200);
    expect((await say({ id: s.id, token: renewed.json!.token as string }, 'hello')).status).toBe(200);
    await call('public-connection-delete', { headers: key(), params: { id: s.id } });
    expect((await call('public-session-token-renew', { headers: bearer(s.token), params: { id: s.id } })).json).toMatchObject({ code: 'SessionClosed' });
  });

  it('remembers an externalClientId: the next session is assembled with what it said, until that session is deleted', async () => {
    const agentId = await agentWith({});
    const principal = { projectId: 'proj_local', orgId: 'org_local', keyId: '', hosting: 'hosted' as const };
    const first = await open(agentId, { externalClientId: 'buyer-42' });
    await say(first, 'My name is Dana and I live in Hamburg.');
    await call('public-connection-delete', { headers: key(), params: { id: first.id } });
    // The close queued the extraction job; run it as its queue trigger would.
    await registrations.queues.get('session-memory')!.handler(
      { projectId: 'proj_local', sessionId: first.id },
      new InvocationContext({ functionName: 'session-memory' }),
    );

    const second = await open(agentId, { externalClientId: 'buyer-42' });
    const remembered = (await runtime!.services.sessions.get(principal, second.id)).assembled.instructions;
    expect(remembered).toContain('Hamburg');
    const stranger = await open(agentId, { externalClientId: 'someone-else' });
    expect((await runtime!.services.sessions.get(principal, stranger.id)).assembled.instructions).not.toContain('Hamburg');

    expect((await call('public-session-delete', { headers: key(), params: { id: first.id } })).status).toBe(204);
    const third = await open(agentId, { externalClientId: 'buyer-42' });
    expect((await runtime!.services.sessions.get(principal, third.id)).assembled.instructions).not.toContain('Hamburg');
  });
});

import { InvocationContext } from '@azure/functions';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { USAGE_EVENTS_QUEUE } from '../../shared/adapters/queues.js';
import { STOCK_COMPANIONS } from '../../shared/domain/stock-companions.js';
import type { Runtime } from '../../shared/runtime.js';
import { ManualClock } from '../unit/fakes/test-services.js';
import { registrations } from './helpers/function-registrations.js';
import { call, type Json } from './helpers/http-harness.js';
import { bootstrappedRuntime, releaseRuntime } from './helpers/test-runtime.js';

vi.mock('@azure/functions', async (importOriginal) =>
  (await import('./helpers/function-registrations.js')).capturingFunctionsModule(await importOriginal()),
);

/**
 * Usage records through the real handlers on the emulators: sessions driven by session-events messages at chosen
 * times, their close queued on `usage-events` by the close hook, the queue handler recording them, and the usage API.
 */

const BOOTSTRAP_SECRET = 'bootstrap-secret-usage-0123456789abcdef';
const DEV_TOKEN = 'dev-admin-token-usage-0123456789';
const key = { 'x-api-key': BOOTSTRAP_SECRET };
const asAdmin = { authorization: `Bearer ${DEV_TOKEN}` };
const HOUR = 3_600_000;
// Hours well in the past of the manual clock, so the "open session" snapshot sees them closed.
const H0 = Math.floor(Date.now() / HOUR) * HOUR - 10 * HOUR;
const at = (hourOffset: number, minutes: number, seconds = 0) => new Date(H0 + hourOffset * HOUR + minutes * 60_000 + seconds * 1000).toISOString();
const hourKey = (hourOffset: number) => new Date(H0 + hourOffset * HOUR).toISOString();

let runtime: Runtime | undefined;
const clock = new ManualClock(new Date(H0));
let agentId: string;
let eventSeq = 0;

const ctx = (name: string) => new InvocationContext({ functionName: name });
const sessionEvent = (message: Json) => registrations.queues.get('session-events')!.handler(message, ctx('session-events'));
const usageMessage = (message: Json) => registrations.queues.get('usage-events')!.handler(message, ctx('usage-events'));

/** Moves the manual clock forward to `time` (sessions must start within their token's lifetime). */
function setClock(time: string): void {
  const delta = Date.parse(time) - clock.now().getTime();
  if (delta > 0) clock.advance(delta);
}

async function openSession(time?: string): Promise<string> {
  if (time !== undefined) setClock(new Date(Date.parse(time) - 1000).toISOString());
  const opened = await call('public-agent-connection-create', { headers: key, params: { agentId }, body: { channelType: 'text' } });
  expect(opened.status, JSON.stringify(opened.json)).toBe(201);
  return opened.json!.connection.id as string;
}

async function event(sessionId: string, type: 'started' | 'closed', time: string): Promise<void> {
  eventSeq += 1;
  await sessionEvent({ eventId: `e${eventSeq}`, type, projectId: 'proj_local', sessionId, at: time });
}

/** Whether the close hook queued the session on the real `usage-events` queue (other files' messages are dropped). */
async function queuedForUsage(sessionId: string): Promise<Json | undefined> {
  const queue = QueueServiceClient.fromConnectionString(inject('storageConnectionString')).getQueueClient(USAGE_EVENTS_QUEUE);
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
    if (receivedMessageItems.length === 0) return undefined;
    for (const item of receivedMessageItems) {
      await queue.deleteMessage(item.messageId, item.popReceipt);
      const body = JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')) as Json;
      if (body.sessionId === sessionId) return body;
    }
  }
}

const session = async (id: string) => (await call('public-session-get', { headers: key, params: { id } })).json!;
const usage = async (query: string) => {
  const reply = await call('public-usage-get', { headers: key, query });
  expect(reply.status, JSON.stringify(reply.json)).toBe(200);
  return reply.json!;
};

beforeAll(async () => {
  ({ runtime } = await bootstrappedRuntime('usage', {
    apiKeySecret: BOOTSTRAP_SECRET,
    settings: { COMPANION_DEV_ADMIN_TOKEN: DEV_TOKEN },
    options: { clock },
  }));
  await import('../../functions/index.js');
  const agent = await call('public-agent-create', {
    headers: key,
    body: { companionId: STOCK_COMPANIONS[0]!.id, name: 'Usage agent', voiceId: 'coral', disableIdleTimeout: true, maxSessionSeconds: 14_400 },
  });
  expect(agent.status, JSON.stringify(agent.json)).toBe(201);
  agentId = agent.json!.id as string;
}, 60_000);

afterAll(() => releaseRuntime(runtime));

describe('usage records', () => {
  const closedIds: string[] = [];

  it('a session across an hour boundary is split by hour; repeated and reordered close events and messages count it once', async () => {
    const id = await openSession(at(0, 50));
    closedIds.push(id);
    await event(id, 'started', at(0, 50));
    await event(id, 'closed', at(1, 20, 30));
    // Repeats and late, reordered events: the close stands, the start does not move.
    await event(id, 'closed', at(1, 40));
    await event(id, 'started', at(0, 10));
    await event(id, 'closed', at(1, 20, 30));
    const closed = await session(id);
    expect(closed).toMatchObject({ status: 'closed', activeSeconds: 1830, cost: { billedMinutes: 31 } });

    const message = { projectId: 'proj_local', sessionId: id, reason: 'closed' };
    // The close hook queued it for the usage-events function.
    expect(await queuedForUsage(id)).toEqual(message);
    await usageMessage(message);
    await usageMessage({ ...message, reason: 'hourly' });
    await usageMessage(message);

    const report = await usage(`from=${hourKey(0)}&to=${hourKey(2)}&granularity=hour`);
    expect(report.buckets.map((b: Json) => [b.start, b.dimensions.hostedLlmMinutes.minutes, b.dimensions.hostedLlmMinutes.activeSeconds])).toEqual([
      [hourKey(0), 10, 600],
      [hourKey(1), 21, 1230],
    ]);
    expect(report.totals.dimensions.hostedLlmMinutes).toEqual({ activeSeconds: 1830, minutes: 31, amountMicros: 31 * 58_000, amount: 1.798 });
  });

  it("an open session's hourly snapshot is superseded by its final figures, whatever order the messages come in", async () => {
    const id = await openSession(at(2, 30, 15));
    closedIds.push(id);
    await event(id, 'started', at(2, 30, 15));
    // The snapshot at 03:01 (and a repeat at 04:01) while it is open: 29 whole minutes in 02:00, 60 in 03:00.
    setClock(at(3, 1));
    await usageMessage({ projectId: 'proj_local', sessionId: id, reason: 'hourly' });
    let report = await usage(`from=${hourKey(2)}&to=${hourKey(5)}`);
    expect(report.totals.dimensions.hostedLlmMinutes.minutes).toBe(29);
    clock.advance(HOUR);
    await usageMessage({ projectId: 'proj_local', sessionId: id, reason: 'hourly' });
    report = await usage(`from=${hourKey(2)}&to=${hourKey(5)}`);
    expect(report.totals.dimensions.hostedLlmMinutes.minutes).toBe(29 + 60);

    // The close came from the media tier late: it is dated 03:10:00, before the 04:00 boundary the snapshot counted.
    await event(id, 'closed', at(3, 10));
    const closed = await session(id);
    expect(closed.cost.billedMinutes).toBe(40); // 39 min 45 s
    await usageMessage({ projectId: 'proj_local', sessionId: id, reason: 'closed' });
    // A stale snapshot message after the close changes nothing.
    await usageMessage({ projectId: 'proj_local', sessionId: id, reason: 'hourly' });
    report = await usage(`from=${hourKey(2)}&to=${hourKey(5)}&granularity=hour`);
    expect(report.buckets.map((b: Json) => [b.start, b.dimensions.hostedLlmMinutes.minutes])).toEqual([
      [hourKey(2), 29],
      [hourKey(3), 11],
    ]);
    expect(report.totals.dimensions.hostedLlmMinutes.minutes).toBe(closed.cost.billedMinutes);
  });

  it('the usage totals equal the sum of the sessions billed minutes, by day and for the organization', async () => {
    let billed = 0;
    let amount = 0;
    for (const id of closedIds) {
      const s = await session(id);
      billed += s.cost.billedMinutes as number;
      amount += s.cost.amountMicros as number;
    }
    const byDay = await usage(`from=${hourKey(-24)}&to=${hourKey(24)}&granularity=day`);
    expect(byDay.totals.dimensions.hostedLlmMinutes.minutes).toBe(billed);
    expect(byDay.totals.amountMicros).toBe(amount);
    expect(byDay.totals.dimensions.byoLlmMinutes.minutes).toBe(0);

    const org = await call('manage-org-usage-get', { headers: asAdmin, params: { orgId: 'org_local' }, query: `from=${hourKey(-24)}&to=${hourKey(24)}&granularity=day` });
    expect(org.status, JSON.stringify(org.json)).toBe(200);
    expect(org.json!.totals.amountMicros).toBe(amount);
    expect(org.json!.projects).toEqual([expect.objectContaining({ projectId: 'proj_local', minutes: billed, amountMicros: amount })]);
  });

  it('settling an hour records sessions whose messages were lost, and a session never started has no usage', async () => {
    const lost = await openSession(at(6, 0));
    await event(lost, 'started', at(6, 0));
    await event(lost, 'closed', at(6, 2, 1));
    const never = await openSession(at(6, 3));
    await event(never, 'closed', at(6, 5));
    let report = await usage(`from=${hourKey(6)}&to=${hourKey(7)}`);
    expect(report.buckets).toEqual([]);
    await runtime!.services.usage!.recorder.settleHour(hourKey(6));
    report = await usage(`from=${hourKey(6)}&to=${hourKey(7)}`);
    expect(report.totals.dimensions.hostedLlmMinutes).toMatchObject({ activeSeconds: 121, minutes: 3 });
  });

  it('a range that is empty, reversed or too long is refused', async () => {
    expect((await call('public-usage-get', { headers: key, query: `from=${hourKey(2)}&to=${hourKey(1)}` })).status).toBe(400);
    expect((await call('public-usage-get', { headers: key, query: `from=${hourKey(-800)}&to=${hourKey(1)}&granularity=hour` })).status).toBe(400);
    expect((await call('public-usage-get', { headers: key, query: 'granularity=week' })).status).toBe(400);
    expect((await call('public-usage-get', { query: 'granularity=day' })).status).toBe(401);
  });
});

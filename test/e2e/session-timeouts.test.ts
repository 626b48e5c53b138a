import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceProcess, type ServiceProcess } from '../../local/service-process.js';

/**
 * Timeouts as a user meets them, in real time through `npm start` (the timer-triggered sweeper every second): the
 * idle countdown then `idle_timeout`, `session_expired`, and a token never used. The three run side by side.
 */

const API_KEY = 'e2e_timeouts_key_0123456789abcdefghij';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test asserts the fields it reads
type Json = Record<string, any>;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'companion-timeouts-'));
let service: ServiceProcess;

async function call(method: string, route: string, options: { body?: unknown; bearer?: string } = {}) {
  const headers: Record<string, string> = options.bearer === undefined ? { 'x-api-key': API_KEY } : { authorization: `Bearer ${options.bearer}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${service.url}/${route}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  return { status: response.status, json: (text === '' ? {} : JSON.parse(text)) as Json };
}

/** Reads the whole event stream (it ends after session_closed), reconnecting with Last-Event-ID if it ends early. */
async function streamUntilClosed(session: { id: string; token: string }): Promise<{ id: number; event: string; data: Json }[]> {
  const events: { id: number; event: string; data: Json }[] = [];
  while (!events.some((e) => e.event === 'session_closed')) {
    const last = events.at(-1)?.id;
    const response = await fetch(`${service.url}/public/sessions/${session.id}/events`, {
      headers: { authorization: `Bearer ${session.token}`, ...(last === undefined ? {} : { 'last-event-id': String(last) }) },
    });
    const text = await response.text();
    for (const block of text.split('\n\n')) {
      if (!block.startsWith('id: ')) continue;
      const fields = Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
      events.push({ id: Number(fields['id']), event: fields['event'] as string, data: JSON.parse(fields['data'] as string) as Json });
    }
  }
  return events;
}

beforeAll(async () => {
  service = await startServiceProcess({
    COMPANION_DATA_DIR: dataDir,
    COMPANION_BOOTSTRAP_API_KEY: API_KEY,
    SESSION_SWEEP_SCHEDULE: '* * * * * *',
    SESSION_TOKEN_TTL_SECONDS: '10',
  });
}, 120_000);

afterAll(async () => {
  await service?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('session timeouts in real time', () => {
  it('counts down 60, 30, 10 s then closes with idle_timeout; closes at maxSessionSeconds with session_expired; an unused token closes with connection_timeout', async () => {
    const stock = (await call('GET', 'public/companions/stock')).json.items[0];
    const agent = async (name: string, settings: Json) =>
      (await call('POST', 'public/agents', { body: { companionId: stock.id, name, voiceId: 'coral', ...settings } })).json.id as string;
    const idleAgent = await agent('Idle', { idleTimeoutSeconds: 65, maxSessionSeconds: 120 });
    const shortAgent = await agent('Short', { maxSessionSeconds: 60, disableIdleTimeout: true });
    const open = async (agentId: string) => {
      const opened = await call('POST', `public/agents/${agentId}/connections`, { body: { channelType: 'text' } });
      expect(opened.status).toBe(201);
      return { id: opened.json.connection.id as string, token: opened.json.token as string };
    };
    const idle = await open(idleAgent);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // one connection request per second per key
    const short = await open(shortAgent);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const unused = await open(idleAgent);
    const started = Date.now();
    expect((await call('POST', `public/sessions/${idle.id}/messages`, { bearer: idle.token, body: { text: 'hello' } })).status).toBe(200);
    expect((await call('POST', `public/sessions/${short.id}/messages`, { bearer: short.token, body: { text: 'hello' } })).status).toBe(200);

    const [idleEvents, shortEvents, unusedEvents] = await Promise.all([streamUntilClosed(idle), streamUntilClosed(short), streamUntilClosed(unused)]);

    const warnings = idleEvents.filter((e) => e.event === 'avatar_connection_warning');
    expect(warnings.map((e) => e.data.disconnect_after)).toEqual([60, 30, 10]);
    expect(idleEvents.at(-1)).toMatchObject({ event: 'session_closed', data: { closeReason: 'idle_timeout', activeSeconds: 65 } });
    expect(shortEvents.at(-1)).toMatchObject({ event: 'session_closed', data: { closeReason: 'session_expired', activeSeconds: 60 } });
    expect(unusedEvents).toEqual([expect.objectContaining({ event: 'session_closed', data: expect.objectContaining({ closeReason: 'connection_timeout', activeSeconds: 0 }) })]);
    expect(Date.now() - started).toBeLessThan(80_000);

    const closed = (await call('GET', `public/sessions/${idle.id}`)).json;
    expect(closed).toMatchObject({ status: 'closed', closeReason: 'idle_timeout', cost: { billedMinutes: 2, amountMicros: 116_000 } });
    expect((await call('GET', `public/sessions/${short.id}`)).json).toMatchObject({ status: 'closed', closeReason: 'session_expired', cost: { billedMinutes: 1 } });
  }, 100_000);
});

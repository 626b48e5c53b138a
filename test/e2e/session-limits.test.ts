import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../local/emulators/azurite.js';
import { startCosmosServer, type RunningCosmosServer } from '../../local/emulators/cosmos.js';
import { startServiceProcess, type ServiceProcess } from '../../local/service-process.js';

/**
 * The session limits hold across instances: two hosts (`npm start` twice) on the same storage and Cosmos DB, sharing
 * one data folder (the same sealing key and session-token secret, as instances of one Function App share settings).
 */

const API_KEY = 'e2e_limits_key_0123456789abcdefghij';
const ADMIN = 'e2e_limits_admin_0123456789abcdefghij';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test asserts the fields it reads
type Json = Record<string, any>;

const root = mkdtempSync(path.join(os.tmpdir(), 'companion-limits-'));
let azurite: RunningAzurite;
let cosmos: RunningCosmosServer;
let hosts: ServiceProcess[] = [];

async function call(host: ServiceProcess, method: string, route: string, auth: { key?: string; admin?: boolean }, body?: unknown) {
  const headers: Record<string, string> = {};
  if (auth.key !== undefined) headers['x-api-key'] = auth.key;
  if (auth.admin === true) headers['authorization'] = `Bearer ${ADMIN}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${host.url}/${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: (text === '' ? {} : JSON.parse(text)) as Json };
}

beforeAll(async () => {
  azurite = await startAzurite({ location: path.join(root, 'azurite') });
  cosmos = await startCosmosServer({ certDir: path.join(root, 'cosmos') });
  const env = {
    COMPANION_DATA_DIR: path.join(root, 'data'),
    COMPANION_BOOTSTRAP_API_KEY: API_KEY,
    COMPANION_DEV_ADMIN_TOKEN: ADMIN,
    AzureWebJobsStorage: azurite.connectionString,
    COSMOS_ENDPOINT: cosmos.endpoint,
    COSMOS_KEY: cosmos.key,
    COSMOS_EMULATOR_CERT_FILE: cosmos.certFile,
  };
  // The first host creates the containers and the bootstrap tenant; the second finds them.
  hosts = [await startServiceProcess(env)];
  hosts.push(await startServiceProcess(env));
}, 120_000);

afterAll(async () => {
  await Promise.all(hosts.map((host) => host.stop()));
  await Promise.all([azurite?.stop(), cosmos?.stop()]);
  rmSync(root, { recursive: true, force: true });
}, 60_000);

describe('session limits across two hosts', () => {
  it('allows one connection request per second per API key, whichever host gets it (429 with Retry-After)', async () => {
    const [a, b] = hosts as [ServiceProcess, ServiceProcess];
    const stock = (await call(a, 'GET', 'public/companions/stock', { key: API_KEY })).json.items[0];
    const agent = await call(a, 'POST', 'public/agents', { key: API_KEY }, { companionId: stock.id, name: 'Rate', voiceId: 'coral' });
    expect(agent.status).toBe(201);
    const startSecond = Math.floor(Date.now() / 1000);
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => call(i % 2 === 0 ? a : b, 'POST', `public/agents/${agent.json.id}/connections`, { key: API_KEY }, { channelType: 'websocket' })),
    );
    const seconds = Math.floor(Date.now() / 1000) - startSecond + 1;
    const created = answers.filter((r) => r.status === 201);
    const limited = answers.filter((r) => r.status === 429);
    expect(created.length + limited.length).toBe(6);
    // One per second of the burst, never more, whichever host answered.
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(created.length).toBeLessThanOrEqual(seconds);
    expect(limited[0]!.json).toMatchObject({ code: 'RequestRateLimitExceeded' });
    expect(limited[0]!.headers.get('retry-after')).toBe('1');
    for (const session of created) await call(a, 'DELETE', `public/connections/${session.json.connection.id}`, { key: API_KEY });
  });

  it('holds the open sessions per channel type of an organization at its limit (5), and frees a slot at the close', async () => {
    const [a, b] = hosts as [ServiceProcess, ServiceProcess];
    const projectId = (await call(a, 'GET', 'public/project', { key: API_KEY })).json.project.id as string;
    // Eight keys, so the burst is not held back by the per-key rate.
    const keys: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const created = await call(i % 2 === 0 ? a : b, 'POST', `manage/projects/${projectId}/api-keys`, { admin: true }, { name: `k${i}`, llm: { hosting: 'hosted' } });
      expect(created.status).toBe(201);
      keys.push(created.json.secret as string);
    }
    const stock = (await call(a, 'GET', 'public/companions/stock', { key: API_KEY })).json.items[0];
    const agent = await call(b, 'POST', 'public/agents', { key: API_KEY }, { companionId: stock.id, name: 'Busy', voiceId: 'coral' });
    const connect = (host: ServiceProcess, key: string, channelType: string) =>
      call(host, 'POST', `public/agents/${agent.json.id}/connections`, { key }, { channelType });

    const burst = await Promise.all(keys.slice(0, 8).map((key, i) => connect(i % 2 === 0 ? a : b, key, 'text')));
    const opened = burst.filter((r) => r.status === 201);
    expect(opened).toHaveLength(5);
    const refused = burst.filter((r) => r.status === 409);
    expect(refused).toHaveLength(3);
    expect(refused[0]!.json).toMatchObject({ code: 'ConcurrentSessionLimitReached' });

    // Another channel type has its own limit.
    expect((await connect(b, keys[8]!, 'webrtc')).status).toBe(201);
    // Closing one frees its slot, on either host.
    await call(b, 'DELETE', `public/connections/${opened[0]!.json.connection.id}`, { key: API_KEY });
    expect((await connect(a, keys[9]!, 'text')).status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const full = await connect(b, keys[9]!, 'text');
    expect(full.status).toBe(409);
    expect(full.json.code).toBe('ConcurrentSessionLimitReached');
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceProcess, type ServiceProcess } from '../../local/service-process.js';
import { startFakeWebhookReceiver, type FakeWebhookReceiver } from '../fakes/webhook-receiver.js';

/**
 * A webhook as a customer sets one up: `npm start` in a child process (the local host polls `webhook-events`), the
 * webhook configured over /manage, and a companion created with the API key; the event reaches the customer's
 * endpoint signed with the secret the PUT returned, after one failed attempt and a retry from the queue.
 */

const API_KEY = 'e2e_webhooks_key_0123456789abcdef';
const ADMIN_TOKEN = 'e2e_webhooks_admin_0123456789abcdef';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test asserts the fields it reads
type Json = Record<string, any>;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'companion-e2e-webhooks-'));
let service: ServiceProcess;
let receiver: FakeWebhookReceiver;

async function call(method: string, route: string, options: { body?: unknown; admin?: boolean } = {}) {
  const headers: Record<string, string> = options.admin === true ? { authorization: `Bearer ${ADMIN_TOKEN}` } : { 'x-api-key': API_KEY };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${service.url}/${route}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  return { status: response.status, json: (text === '' ? {} : JSON.parse(text)) as Json };
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  receiver = await startFakeWebhookReceiver();
  service = await startServiceProcess({
    COMPANION_DATA_DIR: dataDir,
    COMPANION_BOOTSTRAP_API_KEY: API_KEY,
    COMPANION_DEV_ADMIN_TOKEN: ADMIN_TOKEN,
    COMPANION_ALLOW_PRIVATE_URLS: '1',
    WEBHOOK_RETRY_SCHEDULE: '1,1',
  });
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await receiver?.close();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('webhooks through the local host', () => {
  it('delivers companion.created to the configured endpoint, signed with the secret shown once, retried after a failure', async () => {
    const projectId = (await call('GET', 'public/project')).json.project.id as string;
    const configured = await call('PUT', `manage/projects/${projectId}/webhook`, { admin: true, body: { url: `${receiver.url}/companion-events`, events: ['companion.created'] } });
    expect(configured.status).toBe(201);
    receiver.setSecret(configured.json.secret as string);
    receiver.script([503]);

    const companion = await call('POST', 'public/companions', { body: { description: 'A guide who greets webhook receivers', firstName: 'Hooky' } });
    expect(companion.status).toBe(201);

    await until('the receiver accepts the event', async () => receiver.accepted().length, (n) => n === 1);
    const [event] = receiver.accepted();
    expect(event).toMatchObject({ type: 'companion.created', projectId, data: { companion: { id: companion.json.id, firstName: 'Hooky' } } });
    const requests = receiver.requests();
    expect(requests.map((r) => [r.status, r.signatureValid])).toEqual([
      [503, true],
      [200, true],
    ]);
    expect(requests.every((r) => r.headers['x-webhook-id'] === event!.id)).toBe(true);

    const recorded = await until(
      'the delivery is recorded',
      async () => ((await call('GET', `manage/projects/${projectId}/webhook/deliveries`, { admin: true })).json.items as Json[]).find((d) => d.id === event!.id),
      (delivery) => delivery?.status === 'delivered',
    );
    expect(recorded).toMatchObject({ type: 'companion.created', status: 'delivered', attempts: 2, lastStatus: 200 });
    // Only companion.created is subscribed: the companion's later events (its avatar steps) are recorded as skipped, not sent.
    const skipped = await until(
      'the avatar steps are recorded',
      async () => ((await call('GET', `manage/projects/${projectId}/webhook/deliveries`, { admin: true })).json.items as Json[]).filter((d) => d.type === 'companion.updated'),
      (updates) => updates.length > 0,
    );
    expect(skipped.every((d) => d.status === 'skipped')).toBe(true);
    expect(receiver.requests()).toHaveLength(2);
  }, 60_000);
});

import { InvocationContext } from '@azure/functions';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WEBHOOK_EVENTS_QUEUE } from '../../shared/adapters/queues.js';
import { verifyRequestSignature } from '../../shared/domain/request-signature.js';
import type { Runtime } from '../../shared/runtime.js';
import { startFakeWebhookReceiver, type FakeWebhookReceiver } from '../fakes/webhook-receiver.js';
import { registrations } from './helpers/function-registrations.js';
import { call, userTokenVerifier, type Json } from './helpers/http-harness.js';
import { startOwnAzurite, type OwnAzurite } from './helpers/local-host-harness.js';
import { bootstrappedRuntime, releaseRuntime } from './helpers/test-runtime.js';

vi.mock('@azure/functions', async (importOriginal) =>
  (await import('./helpers/function-registrations.js')).capturingFunctionsModule(await importOriginal()),
);

/**
 * Webhooks through the real handlers on the emulators: configured over /manage, fed by the real companion routes
 * through the real `webhook-events` queue (on an Azurite of this file's own, so no other test takes its messages),
 * delivered by the real queue handler to a loopback receiver that verifies signatures, with retries waiting 1 s.
 */

const DEV_TOKEN = 'dev-admin-token-webhooks-0123456789';
const BOOTSTRAP_SECRET = 'bootstrap-secret-webhooks-0123456789';
const PROJECT = 'proj_local';
const asAdmin = { authorization: `Bearer ${DEV_TOKEN}` };
const asMember = { authorization: 'Bearer user:webhook-member' };
const asOutsider = { authorization: 'Bearer user:webhook-outsider' };
const key = { 'x-api-key': BOOTSTRAP_SECRET };

let azurite: OwnAzurite;
let runtime: Runtime | undefined;
let queue: QueueClient;
const receivers: FakeWebhookReceiver[] = [];
/** The signing secret as the first PUT (and later a rotation) returned it. */
let secret: string;

async function receiver(): Promise<FakeWebhookReceiver> {
  const started = await startFakeWebhookReceiver();
  receivers.push(started);
  return started;
}

/** Every message the delivery function handled, decoded, in the order it got them. */
const handled: Json[] = [];

async function runDelivery(message: unknown): Promise<void> {
  await registrations.queues.get('webhook-delivery')!.handler(message, new InvocationContext({ functionName: 'webhook-delivery' }));
}

/**
 * Plays the host's part for `webhook-events`: takes the messages that are visible (retries become visible after their
 * delay), hands each to the delivery function and deletes it, until `done` or the time is up.
 */
async function pumpUntil(what: string, done: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
    for (const item of receivedMessageItems) {
      const message = JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')) as Json;
      handled.push(message);
      await runDelivery(message);
      await queue.deleteMessage(item.messageId, item.popReceipt);
    }
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function deliveries(): Promise<Json[]> {
  const listed = await call('manage-webhook-deliveries-list', { headers: asAdmin, params: { projectId: PROJECT }, query: 'pageSize=100' });
  expect(listed.status).toBe(200);
  return listed.json!.items as Json[];
}

async function deliveryOf(eventId: string): Promise<Json | undefined> {
  return (await deliveries()).find((d) => d.id === eventId);
}

async function configure(url: string, body: Json = {}): Promise<{ status: number | undefined; json: Json | undefined; etag: string | null }> {
  const reply = await call('manage-webhook-put', { headers: asAdmin, params: { projectId: PROJECT }, body: { url, ...body } });
  return { status: reply.status, json: reply.json, etag: reply.headers.get('etag') };
}

async function createCompanion(firstName: string): Promise<string> {
  const created = await call('public-companion-create', { headers: key, body: { description: `${firstName}, a webhook test companion`, firstName } });
  expect(created.status).toBe(201);
  return created.json!.id as string;
}

/** The event id of the companion.created event of a companion, once its message was handled. */
function createdEventIdOf(companionId: string): string {
  const message = handled.find((m) => m.type === 'companion.created' && m.data.companion.id === companionId);
  if (message === undefined) throw new Error(`no companion.created event handled for ${companionId}`);
  return message.id as string;
}

beforeAll(async () => {
  azurite = await startOwnAzurite('webhooks-azurite-');
  ({ runtime } = await bootstrappedRuntime('webhooks', {
    apiKeySecret: BOOTSTRAP_SECRET,
    settings: {
      AzureWebJobsStorage: azurite.connectionString,
      COMPANION_DEV_ADMIN_TOKEN: DEV_TOKEN,
      COMPANION_ALLOW_PRIVATE_URLS: '1',
      WEBHOOK_RETRY_SCHEDULE: '1,1',
    },
    options: { manageTokenVerifier: userTokenVerifier },
  }));
  await import('../../functions/index.js');
  queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(WEBHOOK_EVENTS_QUEUE);
  await queue.createIfNotExists();
  const added = await call('manage-member-add', { headers: asAdmin, params: { orgId: 'org_local' }, body: { userId: 'webhook-member', role: 'member' } });
  expect(added.status).toBe(201);
}, 60_000);

afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await releaseRuntime(runtime);
  await azurite?.stop();
});

describe('project webhooks on the emulators', () => {
  it('refuses members (403) and outsiders (404), private addresses (UrlNotAllowed) and malformed URLs', async () => {
    const params = { projectId: PROJECT };
    const byMember = await call('manage-webhook-put', { headers: asMember, params, body: { url: 'https://hooks.example.com/x' } });
    expect(byMember.status).toBe(403);
    expect(byMember.json).toMatchObject({ code: 'Forbidden' });
    expect((await call('manage-webhook-deliveries-list', { headers: asMember, params })).status).toBe(403);
    expect((await call('manage-webhook-put', { headers: asOutsider, params, body: { url: 'https://hooks.example.com/x' } })).status).toBe(404);
    expect((await call('manage-webhook-get', { headers: asAdmin, params: { projectId: 'proj_elsewhere' } })).status).toBe(404);

    for (const url of ['https://10.1.2.3/hook', 'https://169.254.169.254/latest/meta-data', 'http://192.168.0.10/hook']) {
      const refused = await configure(url);
      expect(refused.status, url).toBe(400);
      expect(refused.json).toMatchObject({ code: 'UrlNotAllowed' });
    }
    const malformed = await configure('ftp://hooks.example.com/x', { events: ['companion.sneezed'] });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({ code: 'ValidationFailed' });
    expect(malformed.json!.errors.map((e: Json) => e.path).sort()).toEqual(['events.0', 'url']);
    expect((await call('manage-webhook-get', { headers: asAdmin, params })).status).toBe(404);
  });

  it('delivers a companion.created event exactly once to a receiver that fails twice, after three signed attempts', async () => {
    const target = await receiver();
    const created = await configure(`${target.url}/hooks`);
    expect(created.status).toBe(201);
    expect(created.json!.secret).toMatch(/^whsec_/);
    expect(created.json).toMatchObject({ url: `${target.url}/hooks`, enabled: true, events: expect.arrayContaining(['companion.created', 'session.closed']) });
    secret = created.json!.secret as string;
    target.setSecret(secret);
    target.script([500, 500]);

    const companionId = await createCompanion('Thrice');
    await pumpUntil('the receiver accepted the event', async () => target.accepted().length === 1);
    const eventId = createdEventIdOf(companionId);
    await pumpUntil('the delivery is recorded', async () => (await deliveryOf(eventId))?.status === 'delivered');

    const requests = target.requests();
    expect(requests.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(requests.every((r) => r.signatureValid && r.method === 'POST' && r.path === '/hooks')).toBe(true);
    expect(new Set(requests.map((r) => r.headers['x-webhook-id']))).toEqual(new Set([eventId]));
    expect(requests[0]!.headers['content-type']).toBe('application/json');
    const [event] = target.accepted();
    expect(Object.keys(event!).sort()).toEqual(['data', 'id', 'occurredAt', 'projectId', 'type']);
    expect(event).toMatchObject({ id: eventId, type: 'companion.created', projectId: PROJECT, data: { companion: { id: companionId, firstName: 'Thrice' } } });
    expect(await deliveryOf(eventId)).toMatchObject({ id: eventId, type: 'companion.created', status: 'delivered', attempts: 3, lastStatus: 200 });

    // The same message again (the queue delivers at least once): nothing is sent.
    const original = handled.find((m) => m.id === eventId && m.attempt === undefined)!;
    await runDelivery(original);
    await runDelivery({ ...original, attempt: 2 });
    expect(target.requests()).toHaveLength(3);
    expect(await deliveryOf(eventId)).toMatchObject({ status: 'delivered', attempts: 3 });
  });

  it('records failed with the last status when the receiver never accepts', async () => {
    const target = await receiver();
    const replaced = await configure(`${target.url}/down`);
    expect(replaced.status).toBe(200);
    expect(replaced.json).not.toHaveProperty('secret');
    target.setSecret(secret);
    target.script([], 503);
    const companionId = await createCompanion('Never');
    await pumpUntil('three attempts were made', async () => target.requests().length === 3);
    const eventId = createdEventIdOf(companionId);
    await pumpUntil('the delivery is recorded failed', async () => (await deliveryOf(eventId))?.status === 'failed');

    expect(await deliveryOf(eventId)).toMatchObject({ status: 'failed', attempts: 3, lastStatus: 503, lastError: 'the endpoint answered 503' });
    expect(target.accepted()).toHaveLength(0);
    // Nothing more is queued for it.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await pumpUntil('the queue is empty', async () => (await queue.peekMessages()).peekedMessageItems.length === 0);
    expect(target.requests()).toHaveLength(3);
  });

  it('signs with the new and the old secret after a rotation, so a receiver holding either verifies', async () => {
    const oldHolder = await receiver();
    const got = await call('manage-webhook-get', { headers: asAdmin, params: { projectId: PROJECT } });
    const put = await call('manage-webhook-put', {
      headers: { ...asAdmin, 'if-match': got.headers.get('etag')! },
      params: { projectId: PROJECT },
      body: { url: `${oldHolder.url}/rotating`, events: ['companion.created'] },
    });
    expect(put.status).toBe(200);
    const stale = await call('manage-webhook-put', {
      headers: { ...asAdmin, 'if-match': got.headers.get('etag')! },
      params: { projectId: PROJECT },
      body: { url: `${oldHolder.url}/rotating` },
    });
    expect(stale.status).toBe(412);

    const oldSecret = secret;
    const second = await call('manage-webhook-secret-rotate', { headers: asAdmin, params: { projectId: PROJECT } });
    expect(second.status).toBe(200);
    const newSecret = second.json!.secret as string;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    expect(second.json!.previousSecretExpiresAt).toEqual(expect.any(String));
    const shown = await call('manage-webhook-get', { headers: asAdmin, params: { projectId: PROJECT } });
    expect(shown.text).not.toContain(newSecret);
    expect(shown.text).not.toContain(oldSecret);
    expect(shown.json).toMatchObject({ secretCreatedAt: second.json!.secretCreatedAt, previousSecretExpiresAt: second.json!.previousSecretExpiresAt });

    oldHolder.setSecret(oldSecret);
    const companionId = await createCompanion('Rotated');
    await pumpUntil('the receiver with the old secret accepted the event', async () => oldHolder.accepted().length === 1);

    const [request] = oldHolder.requests();
    expect(request!.signatureValid).toBe(true);
    expect(request!.headers['x-webhook-signature']!.split(',')).toHaveLength(2);
    const signature = { timestamp: request!.headers['x-webhook-timestamp'], signature: request!.headers['x-webhook-signature'] };
    expect(verifyRequestSignature(newSecret, signature, request!.body, new Date())).toBe(true);
    expect(verifyRequestSignature('whsec_some_other_secret_entirely_000000000', signature, request!.body, new Date())).toBe(false);
    const eventId = createdEventIdOf(companionId);
    await pumpUntil('the delivery is recorded', async () => (await deliveryOf(eventId))?.status === 'delivered');
    secret = newSecret;
  });

  it('delivers once when two instances take the same message at the same time', async () => {
    const target = await receiver();
    expect((await configure(`${target.url}/concurrent`)).status).toBe(200);
    target.setSecret(secret);
    const companionId = await createCompanion('Twice');
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
    const messages = receivedMessageItems.map((item) => JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')) as Json);
    const message = messages.find((m) => m.type === 'companion.created' && m.data.companion.id === companionId)!;
    handled.push(message);

    await Promise.all([runDelivery(message), runDelivery(message), runDelivery(message)]);

    expect(target.requests()).toHaveLength(1);
    expect(await deliveryOf(message.id as string)).toMatchObject({ status: 'delivered', attempts: 1 });
    for (const item of receivedMessageItems) await queue.deleteMessage(item.messageId, item.popReceipt);
  });

  it('records events the webhook does not take as skipped, lists deliveries newest first, and stops after DELETE', async () => {
    const target = await receiver();
    const got = await call('manage-webhook-get', { headers: asAdmin, params: { projectId: PROJECT } });
    expect((await configure(`${target.url}/updates-only`, { events: ['companion.updated'] })).status).toBe(200);
    const companionId = await createCompanion('Skipped');
    await pumpUntil('the event is recorded', async () => handled.some((m) => m.type === 'companion.created' && m.data.companion.id === companionId));
    const eventId = createdEventIdOf(companionId);
    expect(await deliveryOf(eventId)).toMatchObject({ status: 'skipped', attempts: 0, lastError: 'the webhook does not take this event type' });
    expect(target.requests()).toHaveLength(0);

    const listed = await deliveries();
    expect(listed[0]!.id).toBe(eventId);
    const createdTimes = listed.map((d) => d.createdAt as string);
    expect([...createdTimes].sort().reverse()).toEqual(createdTimes);
    const paged = await call('manage-webhook-deliveries-list', { headers: asAdmin, params: { projectId: PROJECT }, query: 'pageSize=1&pageIndex=1' });
    expect(paged.json).toMatchObject({ pageIndex: 1, pageSize: 1, totalCount: listed.length });
    expect(paged.json!.items.map((d: Json) => d.id)).toEqual([listed[1]!.id]);

    expect((await call('manage-webhook-delete', { headers: { ...asAdmin, 'if-match': got.headers.get('etag')! }, params: { projectId: PROJECT } })).status).toBe(412);
    expect((await call('manage-webhook-delete', { headers: asAdmin, params: { projectId: PROJECT } })).status).toBe(204);
    expect((await call('manage-webhook-get', { headers: asAdmin, params: { projectId: PROJECT } })).status).toBe(404);
    const after = await createCompanion('Unheard');
    await pumpUntil('the event is handled', async () => handled.some((m) => m.type === 'companion.created' && m.data.companion.id === after));
    expect(await deliveryOf(createdEventIdOf(after))).toBeUndefined();
  });
});

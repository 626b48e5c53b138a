import { describe, expect, it } from 'vitest';
import { UrlFetchTimedOutError, type GuardedFetchOptions, type GuardedFetcher, type GuardedResponse } from '../../../shared/domain/outbound.js';
import { verifyRequestSignature } from '../../../shared/domain/request-signature.js';
import { WebhookRetrySchedule, type WebhookDeliveryMessage } from '../../../shared/domain/webhook-delivery.js';
import { WEBHOOK_ATTEMPT_LEASE_MS, WebhookDeliveryService } from '../../../shared/services/webhook-delivery-service.js';
import { ReversibleTestSealer } from '../fakes/in-memory-ports.js';
import { InMemoryWebhookDeliveryRepository, InMemoryWebhookRepository, RecordingWebhookRetryQueue } from '../fakes/in-memory-webhook-ports.js';
import { ManualClock, RecordingLogger } from '../fakes/test-services.js';

const URL = 'https://hooks.example.com/companion';
const SECRET = 'whsec_current_secret_for_unit_tests_0123456789';
const OLD_SECRET = 'whsec_previous_secret_for_unit_tests_012345678';

interface Sent {
  readonly url: string;
  readonly options: GuardedFetchOptions;
}

/** A fetcher that answers from a script (a status, or an error to throw), recording each request. */
class ScriptedFetcher implements GuardedFetcher {
  readonly sent: Sent[] = [];
  constructor(private readonly answers: (number | Error)[]) {}
  async fetch(url: string, options: GuardedFetchOptions): Promise<GuardedResponse> {
    this.sent.push({ url, options });
    const answer = this.answers.shift() ?? 200;
    if (answer instanceof Error) throw answer;
    return { status: answer, headers: {}, body: Buffer.alloc(0), finalUrl: url };
  }
  async checkUrl(): Promise<void> {}
}

function event(overrides: Partial<WebhookDeliveryMessage> = {}): WebhookDeliveryMessage {
  return {
    id: 'evt_unit_1',
    type: 'companion.created',
    orgId: 'org_1',
    projectId: 'proj_1',
    occurredAt: '2025-01-01T00:00:00.000Z',
    data: { companion: { id: 'comp_1' } },
    ...overrides,
  };
}

async function setUp(answers: (number | Error)[], options: { schedule?: number[]; events?: WebhookDeliveryMessage['type'][]; enabled?: boolean } = {}) {
  const clock = new ManualClock(new Date());
  const webhooks = new InMemoryWebhookRepository();
  const deliveries = new InMemoryWebhookDeliveryRepository();
  const retries = new RecordingWebhookRetryQueue();
  const sealer = new ReversibleTestSealer();
  const fetcher = new ScriptedFetcher(answers);
  const now = clock.now().toISOString();
  await webhooks.create({
    projectId: 'proj_1',
    orgId: 'org_1',
    url: URL,
    events: options.events ?? ['companion.created', 'companion.updated'],
    enabled: options.enabled ?? true,
    sealedSecret: await sealer.seal(SECRET),
    secretCreatedAt: now,
    createdAt: now,
    updatedAt: now,
  });
  const service = new WebhookDeliveryService({
    webhooks,
    webhookDeliveries: deliveries,
    webhookRetries: retries,
    sealer,
    fetcher,
    clock,
    logger: new RecordingLogger(),
    retrySchedule: new WebhookRetrySchedule(options.schedule ?? [10, 30]),
  });
  /** Delivers the retries queued so far, as the queue would once their delay passed. */
  const runRetries = async () => {
    const outcomes = [];
    for (const { message, delaySeconds } of retries.take()) {
      clock.advance(delaySeconds * 1000);
      outcomes.push(await service.deliver(message));
    }
    return outcomes;
  };
  return { clock, webhooks, deliveries, retries, sealer, fetcher, service, runRetries };
}

describe('webhook delivery', () => {
  it('posts the event signed, with its id, and records it delivered on a 2xx', async () => {
    const world = await setUp([204]);

    await expect(world.service.deliver(event())).resolves.toBe('delivered');

    const [sent] = world.fetcher.sent;
    expect(sent!.url).toBe(URL);
    expect(sent!.options).toMatchObject({ method: 'POST', timeoutMs: 10_000 });
    const body = String(sent!.options.body);
    expect(JSON.parse(body)).toEqual({ id: 'evt_unit_1', type: 'companion.created', occurredAt: '2025-01-01T00:00:00.000Z', data: { companion: { id: 'comp_1' } }, projectId: 'proj_1' });
    const headers = sent!.options.headers!;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['X-Webhook-Id']).toBe('evt_unit_1');
    const signature = { timestamp: headers['X-Webhook-Timestamp'], signature: headers['X-Webhook-Signature'] };
    expect(verifyRequestSignature(SECRET, signature, body, world.clock.now())).toBe(true);
    expect(verifyRequestSignature(SECRET, signature, `${body} `, world.clock.now())).toBe(false);
    expect(await world.deliveries.get('proj_1', 'evt_unit_1')).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 204 });
  });

  it('retries with the scheduled waits and succeeds on the third attempt', async () => {
    const world = await setUp([500, 503, 200]);

    await expect(world.service.deliver(event())).resolves.toBe('retryScheduled');
    expect(world.retries.scheduled.map((r) => [r.message.attempt, r.delaySeconds])).toEqual([[2, 10]]);
    expect(await world.deliveries.get('proj_1', 'evt_unit_1')).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500, lastError: 'the endpoint answered 500' });

    expect(await world.runRetries()).toEqual(['retryScheduled']);
    expect(world.retries.scheduled.map((r) => [r.message.attempt, r.delaySeconds])).toEqual([[3, 30]]);
    expect(await world.runRetries()).toEqual(['delivered']);

    expect(world.fetcher.sent).toHaveLength(3);
    expect(new Set(world.fetcher.sent.map((s) => s.options.headers!['X-Webhook-Id']))).toEqual(new Set(['evt_unit_1']));
    const record = await world.deliveries.get('proj_1', 'evt_unit_1');
    expect(record).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200 });
    expect(record!.lastError).toBeUndefined();
    expect(record!.nextAttemptAt).toBeUndefined();
  });

  it('records failed with the last status after the last attempt', async () => {
    const world = await setUp([500, 502, 429], { schedule: [1, 1] });

    await world.service.deliver(event());
    await world.runRetries();
    expect(await world.runRetries()).toEqual(['failed']);

    expect(world.retries.scheduled).toEqual([]);
    expect(await world.deliveries.get('proj_1', 'evt_unit_1')).toMatchObject({ status: 'failed', attempts: 3, lastStatus: 429, lastError: 'the endpoint answered 429' });
  });

  it('records why an attempt could not reach the endpoint', async () => {
    const world = await setUp([new UrlFetchTimedOutError(10_000)], { schedule: [] });

    await expect(world.service.deliver(event())).resolves.toBe('failed');

    const record = await world.deliveries.get('proj_1', 'evt_unit_1');
    expect(record).toMatchObject({ status: 'failed', attempts: 1, lastError: 'the endpoint did not answer within 10 s' });
    expect(record!.lastStatus).toBeUndefined();
  });

  it('does nothing for a repeated message once the event is delivered', async () => {
    const world = await setUp([200]);
    await world.service.deliver(event());

    await expect(world.service.deliver(event())).resolves.toBe('duplicate');
    await expect(world.service.deliver(event({ attempt: 2 }))).resolves.toBe('duplicate');

    expect(world.fetcher.sent).toHaveLength(1);
  });

  it('sends once when several instances handle the same message at the same time', async () => {
    const world = await setUp([200, 200, 200]);

    const outcomes = await Promise.all([world.service.deliver(event()), world.service.deliver(event()), world.service.deliver(event())]);

    expect(world.fetcher.sent).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'delivered')).toHaveLength(1);
    expect(await world.deliveries.get('proj_1', 'evt_unit_1')).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('does not repeat an attempt whose retry is already queued', async () => {
    const world = await setUp([500]);
    await world.service.deliver(event());

    await expect(world.service.deliver(event())).resolves.toBe('duplicate');

    expect(world.fetcher.sent).toHaveLength(1);
    expect(world.retries.scheduled).toHaveLength(1);
  });

  it('postpones a repeated message while another instance holds the attempt, and takes it over once the lease is over', async () => {
    const world = await setUp([200]);
    const now = world.clock.now().toISOString();
    // Another instance claimed attempt 1 and has not finished.
    await world.deliveries.create({
      eventId: 'evt_unit_1',
      projectId: 'proj_1',
      orgId: 'org_1',
      type: 'companion.created',
      occurredAt: now,
      status: 'pending',
      phase: 'sending',
      attempts: 1,
      attemptStartedAt: now,
      createdAt: now,
      updatedAt: now,
    });

    await expect(world.service.deliver(event())).resolves.toBe('postponed');
    expect(world.fetcher.sent).toHaveLength(0);
    const [postponed] = world.retries.take();
    expect(postponed!.message.attempt ?? 1).toBe(1);
    expect(postponed!.delaySeconds).toBeGreaterThanOrEqual(WEBHOOK_ATTEMPT_LEASE_MS / 1000);

    // That instance died: after the lease the repeated message makes the attempt.
    world.clock.advance(WEBHOOK_ATTEMPT_LEASE_MS + 1000);
    await expect(world.service.deliver(postponed!.message)).resolves.toBe('delivered');
    expect(world.fetcher.sent).toHaveLength(1);
  });

  it('signs with both secrets during a rotation, the new one first, and with the new one alone after it', async () => {
    const world = await setUp([200, 200]);
    const current = (await world.webhooks.get('proj_1'))!;
    const expires = new Date(world.clock.now().getTime() + 24 * 3600 * 1000).toISOString();
    await world.webhooks.replace({ ...current, sealedPreviousSecret: await world.sealer.seal(OLD_SECRET), previousSecretExpiresAt: expires });

    await world.service.deliver(event());
    world.clock.advance(24 * 3600 * 1000 + 1000);
    await world.service.deliver(event({ id: 'evt_unit_2' }));

    const [during, after] = world.fetcher.sent.map((s) => s.options);
    const signatures = (options: GuardedFetchOptions) => options.headers!['X-Webhook-Signature']!.split(',');
    expect(signatures(during!)).toHaveLength(2);
    const check = (options: GuardedFetchOptions, secret: string) =>
      verifyRequestSignature(secret, { timestamp: options.headers!['X-Webhook-Timestamp'], signature: options.headers!['X-Webhook-Signature'] }, String(options.body), world.clock.now(), 48 * 3600);
    expect(check(during!, SECRET)).toBe(true);
    expect(check(during!, OLD_SECRET)).toBe(true);
    expect(signatures(after!)).toHaveLength(1);
    expect(check(after!, SECRET)).toBe(true);
    expect(check(after!, OLD_SECRET)).toBe(false);
  });

  it('records an event type the webhook does not take as skipped, and drops events of projects without a webhook', async () => {
    const world = await setUp([], { events: ['companion.updated'] });

    await expect(world.service.deliver(event())).resolves.toBe('skipped');
    await expect(world.service.deliver(event({ id: 'evt_other', projectId: 'proj_none' }))).resolves.toBe('dropped');

    expect(world.fetcher.sent).toHaveLength(0);
    expect(await world.deliveries.get('proj_1', 'evt_unit_1')).toMatchObject({ status: 'skipped', attempts: 0, lastError: 'the webhook does not take this event type' });
    expect(await world.deliveries.get('proj_none', 'evt_other')).toBeUndefined();
  });

  it('skips the pending retries of a webhook deleted meanwhile', async () => {
    const world = await setUp([500]);
    await world.service.deliver(event());
    await world.webhooks.delete('proj_1');

    expect(await world.runRetries()).toEqual(['skipped']);

    expect(world.fetcher.sent).toHaveLength(1);
    expect(await world.deliveries.get('proj_1', 'evt_unit_1')).toMatchObject({ status: 'skipped', attempts: 1, lastError: 'the webhook was deleted before the event was delivered' });
  });

  it('records a message the host gave up on as failed, but leaves a delivered event alone', async () => {
    const world = await setUp([500, 200]);
    await world.service.deliver(event());
    await expect(world.service.abandon(event())).resolves.toBe(false);
    await expect(world.service.abandon(event({ attempt: 2 }))).resolves.toBe(true);
    expect(await world.deliveries.get('proj_1', 'evt_unit_1')).toMatchObject({ status: 'failed', lastError: 'the delivery could not be processed' });

    const delivered = await setUp([200]);
    await delivered.service.deliver(event());
    await expect(delivered.service.abandon(event())).resolves.toBe(false);
    expect(await delivered.deliveries.get('proj_1', 'evt_unit_1')).toMatchObject({ status: 'delivered' });
  });
});

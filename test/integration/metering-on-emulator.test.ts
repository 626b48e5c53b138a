import type { Metrics } from '../../shared/domain/metrics.js';
import { InvocationContext } from '@azure/functions';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { CountedContainer } from '../../shared/adapters/cosmos/counted-container.js';
import { CosmosMeteringEventRepository } from '../../shared/adapters/cosmos/metering-repositories.js';
import { CosmosOrganizationRepository } from '../../shared/adapters/cosmos/organization-repository.js';
import { CosmosProjectRepository } from '../../shared/adapters/cosmos/project-repository.js';
import { CosmosSessionRepository } from '../../shared/adapters/cosmos/session-repository.js';
import { createUsagePorts } from '../../shared/adapters/metering/usage-ports.js';
import { STOCK_COMPANIONS } from '../../shared/domain/stock-companions.js';
import type { Runtime } from '../../shared/runtime.js';
import { createUsageServices, type UsagePorts } from '../../shared/services/usage-services.js';
import { startFakeEntraIssuer, type FakeEntraIssuer } from '../fakes/entra-issuer.js';
import { startFakeMeteringApi, type FakeMeteringApi } from '../fakes/marketplace-metering.js';
import { ManualClock } from '../unit/fakes/test-services.js';
import { registrations } from './helpers/function-registrations.js';
import { call, type Json } from './helpers/http-harness.js';
import { bootstrappedRuntime, releaseRuntime, silentLogger } from './helpers/test-runtime.js';

vi.mock('@azure/functions', async (importOriginal) =>
  (await import('./helpers/function-registrations.js')).capturingFunctionsModule(await importOriginal()),
);

/**
 * Marketplace metering end to end on the emulators: sessions closed through session-events, recorded by the
 * usage-events handler, submitted by the submission service (fresh instances after each simulated crash) to the
 * Metering API fake, which authenticates the Entra fake's tokens and applies the Marketplace's rules.
 */

const BOOTSTRAP_SECRET = 'bootstrap-secret-metering-0123456789abcdef';
const MARKETPLACE_APP = 'marketplace-app-under-test';
const SUBSCRIPTION = '6b1c8e3a-0f0e-4c1b-9a4e-1d2f3a4b5c6d';
const HOUR = 3_600_000;
// Far enough in the past of the real time that every hour of the scenario is closed.
const H0 = Math.floor(Date.now() / HOUR) * HOUR - 60 * HOUR;
const at = (hourOffset: number, minutes: number, seconds = 0) => new Date(H0 + hourOffset * HOUR + minutes * 60_000 + seconds * 1000).toISOString();
const hourKey = (hourOffset: number) => new Date(H0 + hourOffset * HOUR).toISOString();

let runtime: Runtime | undefined;
let entra: FakeEntraIssuer;
let metering: FakeMeteringApi;
const clock = new ManualClock(new Date(H0 - 2 * HOUR));
let agentId: string;
let eventSeq = 0;

const ctx = (name: string) => new InvocationContext({ functionName: name });
const key = { 'x-api-key': BOOTSTRAP_SECRET };

function setClock(time: string): void {
  const delta = Date.parse(time) - clock.now().getTime();
  if (delta > 0) clock.advance(delta);
}

/** A session active from `start` to `end`, closed through the session-events queue and recorded by usage-events. */
async function sessionBetween(start: string, end: string): Promise<Json> {
  setClock(new Date(Date.parse(start) - 1000).toISOString());
  const opened = await call('public-agent-connection-create', { headers: key, params: { agentId }, body: { channelType: 'text' } });
  expect(opened.status, JSON.stringify(opened.json)).toBe(201);
  const sessionId = opened.json!.connection.id as string;
  const send = (type: string, time: string) =>
    registrations.queues.get('session-events')!.handler({ eventId: `m${(eventSeq += 1)}`, type, projectId: 'proj_local', sessionId, at: time }, ctx('session-events'));
  await send('started', start);
  await send('closed', end);
  await registrations.queues.get('usage-events')!.handler({ projectId: 'proj_local', sessionId, reason: 'closed' }, ctx('usage-events'));
  return (await call('public-session-get', { headers: key, params: { id: sessionId } })).json!;
}

/** A submission service as a new process would build it, with its ports optionally sabotaged. */
function freshSubmission(sabotage: (ports: UsagePorts) => UsagePorts = (p) => p, metrics?: Metrics) {
  const container = (id: string) => new CountedContainer(runtime!.cosmosDatabase.container(id));
  const ports = sabotage(
    createUsagePorts(runtime!.config, { queues: QueueServiceClient.fromConnectionString(inject('storageConnectionString')) }, container, () => {
      throw new Error('no managed identity in tests');
    }),
  );
  return createUsageServices(ports, {
    sessions: new CosmosSessionRepository(container('sessions')),
    organizations: new CosmosOrganizationRepository(container('organizations')),
    projects: new CosmosProjectRepository(container('projects')),
    access: runtime!.services.access,
    clock,
    logger: silentLogger,
    metrics,
  });
}

class ProcessDied extends Error {}


const acceptedOf = (dimension = 'hostedLlmMinutes') =>
  Object.fromEntries(
    metering
      .accepted()
      .filter((e) => e.resourceId === SUBSCRIPTION && e.dimension === dimension)
      .map((e) => [e.hour, e.quantity]),
  );

async function setPlan(planId: string): Promise<void> {
  const organizations = new CosmosOrganizationRepository(new CountedContainer(runtime!.cosmosDatabase.container('organizations')));
  const org = (await organizations.get('org_local'))!;
  await organizations.replace({
    ...org,
    marketplace: { subscriptionId: SUBSCRIPTION, offerId: 'companion-api', planId, status: 'Subscribed', purchaser: {}, updatedAt: clock.now().toISOString() },
  });
  metering.changePlan(SUBSCRIPTION, planId);
}

/** Suspends or reinstates the subscription, on our side (as the fulfillment webhook would) and on the Marketplace's. */
async function setSuspended(suspended: boolean): Promise<void> {
  const organizations = new CosmosOrganizationRepository(new CountedContainer(runtime!.cosmosDatabase.container('organizations')));
  const org = (await organizations.get('org_local'))!;
  await organizations.replace({ ...org, marketplace: { ...org.marketplace!, status: suspended ? 'Suspended' : 'Subscribed', updatedAt: clock.now().toISOString() } });
  metering.setActive(SUBSCRIPTION, !suspended);
}

beforeAll(async () => {
  entra = await startFakeEntraIssuer();
  entra.addClient('publisher-app', 'publisher-secret');
  metering = await startFakeMeteringApi({ issuer: entra.issuer, jwksUrl: entra.jwksUrl, audience: MARKETPLACE_APP, now: () => clock.now() });
  metering.addSubscription(SUBSCRIPTION, 'basic');
  ({ runtime } = await bootstrappedRuntime('metering', {
    apiKeySecret: BOOTSTRAP_SECRET,
    settings: {
      COMPANION_ALLOW_PRIVATE_URLS: '1',
      MARKETPLACE_TENANT_ID: entra.tenantId,
      MARKETPLACE_CLIENT_ID: 'publisher-app',
      MARKETPLACE_CLIENT_SECRET: 'publisher-secret',
      MARKETPLACE_AUTHORITY_URL: entra.baseUrl,
      MARKETPLACE_API_URL: metering.apiUrl,
      MARKETPLACE_APP_ID: MARKETPLACE_APP,
      METERING_LOOKBACK_HOURS: '48',
    },
    options: { clock },
  }));
  await import('../../functions/index.js');
  const agent = await call('public-agent-create', {
    headers: key,
    body: { companionId: STOCK_COMPANIONS[0]!.id, name: 'Metered agent', voiceId: 'coral', disableIdleTimeout: true, maxSessionSeconds: 14_400 },
  });
  expect(agent.status, JSON.stringify(agent.json)).toBe(201);
  agentId = agent.json!.id as string;
}, 60_000);

afterAll(async () => {
  await releaseRuntime(runtime);
  await metering?.close();
  await entra?.close();
});

describe('Marketplace metering', () => {
  it("usage of an organization without a Marketplace subscription is recorded, never submitted", async () => {
    const s = await sessionBetween(at(-1, 0), at(-1, 10));
    expect(s.cost.billedMinutes).toBe(10);
    setClock(at(0, 6));
    const summary = await freshSubmission().submission.run();
    expect(summary).toMatchObject({ frozen: 0, calls: 0 });
    expect(metering.accepted()).toEqual([]);
  });

  it('a process that dies after recording a batch, before the call, loses nothing: the next run sends that batch; a plan change mid-hour bills the hour under the new plan', async () => {
    await setPlan('basic');
    const a = await sessionBetween(at(0, 50), at(1, 20, 30)); // 10 min in 00:00, 21 in 01:00
    const b = await sessionBetween(at(1, 5), at(1, 30, 10)); // 26 min in 01:00
    expect([a.cost.billedMinutes, b.cost.billedMinutes]).toEqual([31, 26]);
    // Mid-hour the customer moves to another plan: the hour's event carries the plan current at submission.
    setClock(at(1, 31));
    await setPlan('premium');

    setClock(at(2, 6));
    const dying = freshSubmission((ports) => ({
      ...ports,
      meteringBatches: {
        ...ports.meteringBatches,
        listPending: () => ports.meteringBatches.listPending(),
        replace: (batch) => ports.meteringBatches.replace(batch),
        create: async (batch) => {
          await ports.meteringBatches.create(batch);
          throw new ProcessDied('killed between recording the batch and calling the Marketplace');
        },
      },
    }));
    await expect(dying.submission.run()).rejects.toBeInstanceOf(ProcessDied);
    expect(metering.calls).toHaveLength(0);

    const recorded: { name: string; value: number; dimensions?: Readonly<Record<string, string>> }[] = [];
    const metrics: Metrics = { record: (name, value, dimensions) => void recorded.push({ name, value, ...(dimensions === undefined ? {} : { dimensions }) }) };
    const summary = await freshSubmission((p) => p, metrics).submission.run();
    expect(summary).toMatchObject({ calls: 1, accepted: 2, duplicates: 0 });
    // The run's results reach the operators' metrics.
    expect(recorded).toEqual([
      { name: 'metering.calls', value: 1 },
      { name: 'metering.items', value: 2, dimensions: { outcome: 'accepted' } },
    ]);
    expect(acceptedOf()).toEqual({ [hourKey(0)]: 10, [hourKey(1)]: 47 });
    expect(new Set(metering.accepted().map((e) => e.planId))).toEqual(new Set(['premium']));
    // Nothing left to do.
    expect(await freshSubmission().submission.run()).toMatchObject({ calls: 0, frozen: 0 });
  });

  it('a process that dies after the call, before recording the answer, bills nothing twice: the resend is a Duplicate of the same quantity', async () => {
    await sessionBetween(at(2, 10), at(2, 40, 1)); // 31 min
    setClock(at(3, 6));
    const dying = freshSubmission((ports) => ({
      ...ports,
      meteringEvents: {
        ...ports.meteringEvents,
        get: (r, e) => ports.meteringEvents.get(r, e),
        create: (e) => ports.meteringEvents.create(e),
        listOpen: () => ports.meteringEvents.listOpen(),
        listBetween: (f, t) => ports.meteringEvents.listBetween(f, t),
        getCarry: (r, d) => ports.meteringEvents.getCarry(r, d),
        saveCarry: (c) => ports.meteringEvents.saveCarry(c),
        listCarries: () => ports.meteringEvents.listCarries(),
        replace: async () => {
          throw new ProcessDied('killed between the Marketplace answer and recording it');
        },
      },
    }));
    await expect(dying.submission.run()).rejects.toBeInstanceOf(ProcessDied);
    expect(acceptedOf()[hourKey(2)]).toBe(31);

    const summary = await freshSubmission().submission.run();
    expect(summary).toMatchObject({ calls: 1, accepted: 0, duplicates: 1 });
    expect(acceptedOf()[hourKey(2)]).toBe(31);
    expect(metering.accepted().filter((e) => e.hour === hourKey(2))).toHaveLength(1);
  });

  it('an answer lost on the wire is resent on the next run and counted once', async () => {
    await sessionBetween(at(3, 0), at(3, 10)); // 10 min
    setClock(at(4, 6));
    metering.crashAfterProcessingNext();
    expect(await freshSubmission().submission.run()).toMatchObject({ calls: 1, retryLater: 1 });
    expect(await freshSubmission().submission.run()).toMatchObject({ calls: 1, duplicates: 1 });
    expect(acceptedOf()[hourKey(3)]).toBe(10);
  });

  it('a Duplicate carrying another quantity is flagged for reconciliation, not resent', async () => {
    metering.seedAccepted({ resourceId: SUBSCRIPTION, dimension: 'hostedLlmMinutes', hour: hourKey(4), quantity: 99, planId: 'premium' });
    await sessionBetween(at(4, 0), at(4, 4, 30)); // 5 min
    setClock(at(5, 6));
    expect(await freshSubmission().submission.run()).toMatchObject({ calls: 1, conflicts: 1 });
    const event = await freshSubmission().submission.run();
    expect(event).toMatchObject({ calls: 0 });
    expect(acceptedOf()[hourKey(4)]).toBe(99);
  });

  it('429 is retried on the next run; an hour that expired meanwhile rolls its quantity into the next open hour', async () => {
    await sessionBetween(at(5, 0), at(5, 20)); // 20 min
    setClock(at(6, 6));
    metering.failNext(429);
    expect(await freshSubmission().submission.run()).toMatchObject({ calls: 1, retryLater: 1, accepted: 0 });
    // The Marketplace stays unreachable for a day.
    setClock(at(29, 20));
    const summary = await freshSubmission().submission.run();
    expect(summary).toMatchObject({ expired: 1, accepted: 1 });
    expect(acceptedOf()[hourKey(5)]).toBeUndefined();
    expect(acceptedOf()[hourKey(28)]).toBe(20);
    // Not carried twice.
    setClock(at(30, 20));
    expect(await freshSubmission().submission.run()).toMatchObject({ calls: 0, frozen: 0 });
  });

  it('every billed minute of a Marketplace subscription was accepted exactly once, apart from the flagged conflict', () => {
    // Sessions from 00:50 on: 31 + 26 + 31 + 10 + 5 (conflict: the Marketplace holds 99) + 20 (expired, rolled to 28:00).
    expect(acceptedOf()).toEqual({
      [hourKey(0)]: 10,
      [hourKey(1)]: 47,
      [hourKey(2)]: 31,
      [hourKey(3)]: 10,
      [hourKey(4)]: 99,
      [hourKey(28)]: 20,
    });
    expect(metering.accepted().some((e) => e.resourceId === 'org_local')).toBe(false);
    expect(metering.calls.every((c) => c.items <= 25)).toBe(true);
  });

  it('the daily reconciliation records the conflict and usage the Marketplace holds that we never sent', async () => {
    metering.seedAccepted({ resourceId: SUBSCRIPTION, dimension: 'byoLlmMinutes', hour: hourKey(3), quantity: 7, planId: 'premium' });
    const days = [...new Set([hourKey(0), hourKey(5)].map((h) => h.slice(0, 10)))];
    const differences: Json[] = [];
    for (const day of days) differences.push(...(await freshSubmission().reconciler.reconcile(day)).differences);
    expect(differences).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'conflict', hour: hourKey(4), ours: 5, theirs: 99 }),
        expect.objectContaining({ kind: 'acceptedVsReported', dimension: 'byoLlmMinutes', ours: 0, theirs: 7 }),
      ]),
    );
    expect(differences.filter((d) => d.kind === 'acceptedVsReported' && d.dimension === 'hostedLlmMinutes')).toEqual([]);
    expect(differences).toHaveLength(2);
  });

  it('an hour of a suspended subscription is recorded as refused with its reason, not resent while suspended, and billed in the next hour after a Reinstate', async () => {
    await sessionBetween(at(31, 0), at(31, 14, 30)); // 15 min
    setClock(at(31, 20));
    await setSuspended(true);

    setClock(at(32, 6));
    expect(await freshSubmission().submission.run()).toMatchObject({ calls: 1, rejected: 1, accepted: 0, retryLater: 0 });
    const events = new CosmosMeteringEventRepository(new CountedContainer(runtime!.cosmosDatabase.container('metering-events')));
    const refused = await events.get(SUBSCRIPTION, `hostedLlmMinutes:${hourKey(31)}`);
    expect(refused).toMatchObject({ state: 'rejected', status: 'ResourceNotActive', quantity: 15 });
    expect(refused!.reason).toMatch(/suspended/);
    expect(acceptedOf()[hourKey(31)]).toBeUndefined();

    // While suspended nothing is sent again.
    setClock(at(33, 6));
    expect(await freshSubmission().submission.run()).toMatchObject({ calls: 0, frozen: 0 });

    setClock(at(33, 40));
    await setSuspended(false);
    setClock(at(34, 6));
    expect(await freshSubmission().submission.run()).toMatchObject({ calls: 1, accepted: 1, frozen: 1 });
    expect(acceptedOf()[hourKey(33)]).toBe(15);
    const carriedInto = await events.get(SUBSCRIPTION, `hostedLlmMinutes:${hourKey(33)}`);
    expect(carriedInto).toMatchObject({ state: 'accepted', usageMinutes: 0, quantity: 15, carried: [{ fromEventId: `hostedLlmMinutes:${hourKey(31)}`, quantity: 15 }] });
    // Taken once.
    setClock(at(35, 6));
    expect(await freshSubmission().submission.run()).toMatchObject({ calls: 0, frozen: 0 });
  });
});

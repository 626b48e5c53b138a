import { describe, expect, it } from 'vitest';
import { billingResourceOf } from '../../../shared/domain/billing-resource.js';
import type { MarketplaceOperation } from '../../../shared/domain/marketplace-fulfillment.js';
import { isDataDeletionDue, UNSUBSCRIBED_DATA_RETENTION_MS } from '../../../shared/domain/marketplace-subscription.js';
import { MarketplaceFulfillmentService } from '../../../shared/services/marketplace-fulfillment-service.js';
import { STATUS_TTL_MS, SubscriptionGate } from '../../../shared/services/marketplace-subscription-gate.js';
import { InMemoryMarketplaceClaims, ScriptedMarketplace } from '../fakes/in-memory-marketplace.js';
import { InMemoryMemberRosterRepository, InMemoryMembershipIndex, InMemoryOrganizationRepository } from '../fakes/in-memory-ports.js';
import { InMemorySessionRepository } from '../fakes/in-memory-session-repository.js';
import { ManualClock, RecordingLogger } from '../fakes/test-services.js';

function world() {
  const api = new ScriptedMarketplace();
  const organizations = new InMemoryOrganizationRepository();
  const rosters = new InMemoryMemberRosterRepository();
  const claims = new InMemoryMarketplaceClaims();
  const closed: string[] = [];
  let realNow = 0;
  const gate = new SubscriptionGate({ organizations, nowMs: () => realNow });
  const clock = new ManualClock(new Date('2026-03-01T10:00:00.000Z'));
  const service = new MarketplaceFulfillmentService({
    marketplace: { fulfillment: api, claims, webhookAuthenticator: { authenticate: async () => undefined }, retention: { listUnsubscribedBefore: async () => [] } },
    organizations,
    rosters,
    membershipIndex: new InMemoryMembershipIndex(),
    sessions: new InMemorySessionRepository(),
    sessionLifecycle: { close: async (_projectId, sessionId) => void closed.push(sessionId) },
    subscriptionGate: gate,
    clock,
    logger: new RecordingLogger(),
  });
  api.subscriptions.set('sub-1', {
    id: 'sub-1',
    name: 'Contoso',
    offerId: 'offer',
    planId: 'standard',
    quantity: undefined,
    status: 'PendingFulfillmentStart',
    purchaser: { emailId: 'Buyer@Contoso.com', objectId: 'oid-1', tenantId: 'tid-1' },
    beneficiary: {},
  });
  api.tokens.set('token-1', 'sub-1');
  const operation = (id: string, action: string, at: string, extra: Partial<MarketplaceOperation> = {}): MarketplaceOperation => {
    const op: MarketplaceOperation = { id, subscriptionId: 'sub-1', action, status: 'Succeeded', planId: undefined, quantity: undefined, timeStamp: at, ...extra };
    api.operations.set(id, op);
    return op;
  };
  return { api, organizations, rosters, claims, gate, clock, service, operation, setRealNow: (ms: number) => (realNow = ms) };
}

describe('Marketplace fulfillment service', () => {
  it('when a Suspend older than an applied Reinstate arrives, the subscription stays Subscribed', async () => {
    const w = world();
    const landed = await w.service.land('token-1');
    w.operation('op-suspend', 'Suspend', '2026-03-01T10:00:00.000Z');
    w.operation('op-reinstate', 'Reinstate', '2026-03-01T10:05:00.000Z');
    expect(await w.service.handleWebhook({ id: 'op-reinstate', subscriptionId: 'sub-1', action: 'Reinstate' })).toMatchObject({ outcome: 'applied', subscriptionStatus: 'Subscribed' });
    expect(await w.service.handleWebhook({ id: 'op-suspend', subscriptionId: 'sub-1', action: 'Suspend' })).toMatchObject({ outcome: 'stale', subscriptionStatus: 'Subscribed' });
    expect((await w.organizations.get(landed.organization.id))?.marketplace?.status).toBe('Subscribed');
  });

  it('when a Renew arrives before an older Suspend, the Suspend still applies', async () => {
    const w = world();
    await w.service.land('token-1');
    w.operation('op-suspend', 'Suspend', '2026-03-01T10:00:00.000Z');
    w.operation('op-renew', 'Renew', '2026-03-01T10:05:00.000Z');
    expect(await w.service.handleWebhook({ id: 'op-renew', subscriptionId: 'sub-1', action: 'Renew' })).toMatchObject({ outcome: 'applied', subscriptionStatus: 'Subscribed' });
    expect(await w.service.handleWebhook({ id: 'op-suspend', subscriptionId: 'sub-1', action: 'Suspend' })).toMatchObject({ outcome: 'applied', subscriptionStatus: 'Suspended' });
  });

  it('when two plan changes arrive out of order, the newer plan stays', async () => {
    const w = world();
    const landed = await w.service.land('token-1');
    w.operation('op-old', 'ChangePlan', '2026-03-01T10:00:00.000Z', { planId: 'premium' });
    w.operation('op-new', 'ChangePlan', '2026-03-01T10:05:00.000Z', { planId: 'enterprise' });
    await w.service.handleWebhook({ id: 'op-new', subscriptionId: 'sub-1', action: 'ChangePlan' });
    expect(await w.service.handleWebhook({ id: 'op-old', subscriptionId: 'sub-1', action: 'ChangePlan' })).toMatchObject({ outcome: 'stale' });
    expect((await w.organizations.get(landed.organization.id))?.marketplace?.planId).toBe('enterprise');
  });

  it('an action the service does not know is answered as ignored and changes nothing', async () => {
    const w = world();
    const landed = await w.service.land('token-1');
    const before = await w.organizations.get(landed.organization.id);
    w.operation('op-1', 'Transfer', '2026-03-01T10:00:00.000Z');
    expect(await w.service.handleWebhook({ id: 'op-1', subscriptionId: 'sub-1', action: 'Transfer' })).toMatchObject({ outcome: 'ignored' });
    expect((await w.organizations.get(landed.organization.id))?.etag).toBe(before?.etag);
  });

  it('when Unsubscribe is repeated, the retention period keeps its first start', async () => {
    const w = world();
    const landed = await w.service.land('token-1');
    w.operation('op-1', 'Unsubscribe', '2026-03-01T10:00:00.000Z');
    await w.service.handleWebhook({ id: 'op-1', subscriptionId: 'sub-1', action: 'Unsubscribe' });
    const first = (await w.organizations.get(landed.organization.id))?.marketplace?.unsubscribedAt;
    w.clock.advance(3600_000);
    await w.service.handleWebhook({ id: 'op-1', subscriptionId: 'sub-1', action: 'Unsubscribe' });
    const org = await w.organizations.get(landed.organization.id);
    expect(org?.marketplace).toMatchObject({ status: 'Unsubscribed', unsubscribedAt: first });
    expect(isDataDeletionDue(org!.marketplace, new Date(Date.parse(first!) + UNSUBSCRIBED_DATA_RETENTION_MS - 1))).toBe(false);
    expect(isDataDeletionDue(org!.marketplace, new Date(Date.parse(first!) + UNSUBSCRIBED_DATA_RETENTION_MS))).toBe(true);
    // Nothing brings a cancelled subscription back.
    w.operation('op-2', 'Reinstate', '2026-03-01T12:00:00.000Z');
    expect(await w.service.handleWebhook({ id: 'op-2', subscriptionId: 'sub-1', action: 'Reinstate' })).toMatchObject({ subscriptionStatus: 'Unsubscribed' });
  });

  it('when a ChangePlan was settled as failed before the webhook came, the plan stays', async () => {
    const w = world();
    const landed = await w.service.land('token-1');
    w.operation('op-1', 'ChangePlan', '2026-03-01T10:00:00.000Z', { status: 'Failed', planId: 'premium' });
    expect(await w.service.handleWebhook({ id: 'op-1', subscriptionId: 'sub-1', action: 'ChangePlan' })).toMatchObject({ outcome: 'notApplied' });
    const org = await w.organizations.get(landed.organization.id);
    expect(billingResourceOf(org!)).toEqual({ resourceId: 'sub-1', planId: 'standard', kind: 'marketplaceSubscription' });
    expect(w.api.patches).toEqual([]);
  });

  it('when a ChangeQuantity is in progress, it is accepted with PATCH Success and recorded', async () => {
    const w = world();
    const landed = await w.service.land('token-1');
    w.operation('op-1', 'ChangeQuantity', '2026-03-01T10:00:00.000Z', { status: 'InProgress', quantity: 7 });
    expect(await w.service.handleWebhook({ id: 'op-1', subscriptionId: 'sub-1', action: 'ChangeQuantity' })).toMatchObject({ outcome: 'applied' });
    expect(w.api.patches).toEqual([{ operationId: 'op-1', status: 'Success' }]);
    expect((await w.organizations.get(landed.organization.id))?.marketplace?.quantity).toBe(7);
  });

  it('when the landing is repeated by another user of the purchaser, the purchaser stays the one admin', async () => {
    const w = world();
    const first = await w.service.land('token-1');
    const second = await w.service.land('token-1');
    expect(second).toMatchObject({ organization: { id: first.organization.id, created: false }, activation: 'alreadyActivated', admin: { added: false } });
    expect((await w.rosters.get(first.organization.id))?.members).toEqual([
      expect.objectContaining({ userId: 'oid-1', email: 'buyer@contoso.com', role: 'admin' }),
    ]);
  });

  it('an organization without a Marketplace subscription is billed as itself', () => {
    expect(billingResourceOf({ id: 'org_1', marketplace: undefined })).toEqual({ resourceId: 'org_1', kind: 'organization' });
  });
});

describe('subscription gate', () => {
  it('answers from its cache for at most 30 s, and at once after forget', async () => {
    const w = world();
    const landed = await w.service.land('token-1');
    const orgId = landed.organization.id;
    w.setRealNow(1_000);
    await w.gate.assertActive(orgId);
    const reads = w.organizations.table.operations;
    const org = (await w.organizations.get(orgId))!;
    await w.organizations.replace({ ...org, marketplace: { ...org.marketplace!, status: 'Suspended' } });
    const afterWrite = w.organizations.table.operations;
    // Within the TTL the cached answer stands (no read).
    w.setRealNow(1_000 + STATUS_TTL_MS - 1);
    await w.gate.assertActive(orgId);
    expect(w.organizations.table.operations).toBe(afterWrite);
    expect(afterWrite - reads).toBe(2);
    // After it, the suspension holds.
    w.setRealNow(1_000 + STATUS_TTL_MS);
    await expect(w.gate.assertActive(orgId)).rejects.toMatchObject({ code: 'SubscriptionNotActive' });
    const reinstated = (await w.organizations.get(orgId))!;
    await w.organizations.replace({ ...reinstated, marketplace: { ...reinstated.marketplace!, status: 'Subscribed' } });
    w.gate.forget(orgId);
    await w.gate.assertActive(orgId);
  });
});

import { randomUUID } from 'node:crypto';
import { InvocationContext, type Timer, type TimerFunctionOptions } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { billingResourceOf } from '../../shared/domain/billing-resource.js';
import { STOCK_COMPANIONS } from '../../shared/domain/stock-companions.js';
import type { Runtime } from '../../shared/runtime.js';
import { startFakeEntraIssuer, type FakeEntraIssuer } from '../fakes/entra-issuer.js';
import { startFakeMarketplace, type FakeMarketplace, type FakeParty } from '../fakes/marketplace-fulfillment.js';
import { ManualClock } from '../unit/fakes/test-services.js';
import { call, userTokenVerifier, type Json } from './helpers/http-harness.js';
import { bootstrappedRuntime, releaseRuntime } from './helpers/test-runtime.js';

const timers = vi.hoisted(() => new Map<string, TimerFunctionOptions>());

vi.mock('@azure/functions', async (importOriginal) => {
  const captured = (await import('./helpers/function-registrations.js')).capturingFunctionsModule(await importOriginal());
  return { ...captured, app: { ...captured.app, timer: (name: string, options: TimerFunctionOptions) => timers.set(name, options) } };
});

const BOOTSTRAP_SECRET = 'bootstrap-secret-marketplace-0123456789abcdef';
const MARKETPLACE_APP_ID = '20e940b3-4c77-4b0b-9a53-9e16a1b010a7';
const PUBLISHER_APP_ID = randomUUID();
const PUBLISHER_SECRET = 'publisher-client-secret';
const stock = STOCK_COMPANIONS[0]!;

let runtime: Runtime | undefined;
let issuer: FakeEntraIssuer;
let marketplace: FakeMarketplace;
const clock = new ManualClock(new Date());

const purchaser = (): FakeParty => ({ emailId: `Buyer-${randomUUID().slice(0, 8)}@Contoso.com`, objectId: randomUUID(), tenantId: randomUUID() });
const asUser = (oid: string) => ({ authorization: `Bearer user:${oid}` });
const land = (token: string) => call('marketplace-landing', { query: `token=${encodeURIComponent(token)}` });
const deliver = (webhook: { headers: Record<string, string>; body: unknown }) => call('marketplace-webhook', { headers: webhook.headers, body: webhook.body });
const orgDocument = async (orgId: string) => {
  const { CosmosOrganizationRepository } = await import('../../shared/adapters/cosmos/organization-repository.js');
  const { CountedContainer } = await import('../../shared/adapters/cosmos/counted-container.js');
  return new CosmosOrganizationRepository(new CountedContainer(runtime!.cosmosDatabase.container('organizations'))).get(orgId);
};

/** A landed purchase with a project, an API key of it and an agent: what a customer has after onboarding. */
async function onboard(): Promise<{ subscriptionId: string; orgId: string; buyer: FakeParty; key: Record<string, string>; projectId: string; agentId: string }> {
  const buyer = purchaser();
  const { token, subscriptionId } = marketplace.purchase({ offerId: 'companion-api', planId: 'standard', name: 'Contoso agents', purchaser: buyer });
  const landed = await land(token);
  expect(landed.status, JSON.stringify(landed.json)).toBe(200);
  const orgId = landed.json!.organization.id as string;
  const project = await call('manage-project-create', { headers: asUser(buyer.objectId), params: { orgId }, body: { name: 'Production' } });
  expect(project.status, JSON.stringify(project.json)).toBe(201);
  const projectId = project.json!.id as string;
  // Tests open sessions faster than API.md's default of one connection request per second per key.
  const limits = await call('manage-org-update', {
    headers: asUser(buyer.objectId),
    params: { orgId },
    body: { settings: { connectionRequestsPerSecondPerKey: 100 } },
  });
  expect(limits.status, JSON.stringify(limits.json)).toBe(200);
  const created = await call('manage-api-key-create', {
    headers: asUser(buyer.objectId),
    params: { projectId },
    body: { name: 'server', llm: { hosting: 'hosted' } },
  });
  expect(created.status).toBe(201);
  const key = { 'x-api-key': created.json!.secret as string };
  const agent = await call('public-agent-create', { headers: key, body: { companionId: stock.id, name: 'Support', voiceId: 'coral' } });
  expect(agent.status, JSON.stringify(agent.json)).toBe(201);
  return { subscriptionId, orgId, buyer, key, projectId, agentId: agent.json!.id as string };
}

async function openSession(key: Record<string, string>, agentId: string): Promise<{ status: number | undefined; id?: string; json: Json | undefined }> {
  const opened = await call('public-agent-connection-create', { headers: key, params: { agentId }, body: { channelType: 'text' } });
  return { status: opened.status, id: opened.json?.connection?.id as string | undefined, json: opened.json };
}

beforeAll(async () => {
  issuer = await startFakeEntraIssuer();
  issuer.addClient(PUBLISHER_APP_ID, PUBLISHER_SECRET);
  marketplace = await startFakeMarketplace({ issuer, marketplaceAppId: MARKETPLACE_APP_ID, publisherAppId: PUBLISHER_APP_ID });
  ({ runtime } = await bootstrappedRuntime('marketplace', {
    apiKeySecret: BOOTSTRAP_SECRET,
    settings: {
      COMPANION_ALLOW_PRIVATE_URLS: '1',
      MARKETPLACE_API_URL: marketplace.apiUrl,
      MARKETPLACE_AUTHORITY_URL: issuer.baseUrl,
      MARKETPLACE_TENANT_ID: issuer.tenantId,
      MARKETPLACE_CLIENT_ID: PUBLISHER_APP_ID,
      MARKETPLACE_CLIENT_SECRET: PUBLISHER_SECRET,
    },
    options: { clock, manageTokenVerifier: userTokenVerifier },
  }));
  await import('../../functions/index.js');
});

afterAll(async () => {
  await releaseRuntime(runtime);
  await marketplace?.close();
  await issuer?.close();
});

describe('Marketplace landing page', () => {
  it('resolves the purchase, creates the organization with the purchaser as admin and activates the subscription', async () => {
    const buyer = purchaser();
    const { token, subscriptionId } = marketplace.purchase({ offerId: 'companion-api', planId: 'standard', quantity: 3, name: 'Fabrikam', purchaser: buyer });
    const landed = await land(token);
    expect(landed.status, JSON.stringify(landed.json)).toBe(200);
    expect(landed.json).toMatchObject({
      organization: { name: 'Fabrikam', created: true },
      subscription: { id: subscriptionId, offerId: 'companion-api', planId: 'standard', quantity: 3, status: 'Subscribed' },
      admin: { userId: buyer.objectId, email: buyer.emailId.toLowerCase(), added: true },
      activation: 'activated',
    });
    expect(marketplace.subscription(subscriptionId)?.saasSubscriptionStatus).toBe('Subscribed');

    // The purchaser signs in to /manage and finds the organization, as its admin.
    const me = await call('manage-me-get', { headers: asUser(buyer.objectId) });
    expect(me.json!.memberships).toEqual([
      expect.objectContaining({ organization: { id: landed.json!.organization.id, name: 'Fabrikam' }, role: 'admin' }),
    ]);
    const org = await orgDocument(landed.json!.organization.id as string);
    expect(org?.marketplace).toMatchObject({ subscriptionId, planId: 'standard', quantity: 3, status: 'Subscribed', purchaser: { objectId: buyer.objectId } });
    expect(billingResourceOf(org!)).toEqual({ resourceId: subscriptionId, planId: 'standard', kind: 'marketplaceSubscription' });
  });

  it('landing twice finds the same organization and treats the refused second activation as already activated', async () => {
    const buyer = purchaser();
    const { token, subscriptionId } = marketplace.purchase({ offerId: 'companion-api', planId: 'standard', purchaser: buyer });
    const first = await land(token);
    const activationsBefore = marketplace.requests().filter((r) => r.path.endsWith('/activate')).length;
    const second = await land(token);
    expect(second.status, JSON.stringify(second.json)).toBe(200);
    expect(second.json).toMatchObject({
      organization: { id: first.json!.organization.id, created: false },
      admin: { memberId: first.json!.admin.memberId, added: false },
      subscription: { status: 'Subscribed' },
      activation: 'alreadyActivated',
    });
    const activations = marketplace.requests().filter((r) => r.path.endsWith('/activate')).slice(activationsBefore);
    expect(activations).toEqual([expect.objectContaining({ status: 400 })]);
    const members = await call('manage-members-list', { headers: asUser(buyer.objectId), params: { orgId: first.json!.organization.id as string } });
    expect(members.json!.items).toHaveLength(1);
    expect(marketplace.subscription(subscriptionId)?.saasSubscriptionStatus).toBe('Subscribed');
  });

  it('concurrent landings of one purchase make one organization', async () => {
    const { token } = marketplace.purchase({ offerId: 'companion-api', planId: 'standard', purchaser: purchaser() });
    const results = await Promise.all([land(token), land(token), land(token)]);
    for (const result of results) expect(result.status, JSON.stringify(result.json)).toBe(200);
    expect(new Set(results.map((r) => r.json!.organization.id)).size).toBe(1);
    expect(results.filter((r) => r.json!.activation === 'activated')).toHaveLength(1);
  });

  it("a token whose '+' reached the query string unencoded still resolves", async () => {
    const { token, subscriptionId } = marketplace.purchase({ offerId: 'companion-api', planId: 'standard', purchaser: purchaser() });
    const landed = await call('marketplace-landing', { query: `token=${encodeURIComponent(token).replace(/%2B/g, '+')}` });
    expect(landed.status, JSON.stringify(landed.json)).toBe(200);
    expect(landed.json!.subscription.id).toBe(subscriptionId);
  });

  it('a purchase token the Marketplace does not know answers 400 MarketplaceTokenInvalid', async () => {
    const landed = await land('not-a-real-token');
    expect(landed.status).toBe(400);
    expect(landed.headers.get('content-type')).toBe('application/problem+json');
    expect(landed.json).toMatchObject({ code: 'MarketplaceTokenInvalid', status: 400 });
  });

  it('throttling and outages of the Marketplace API are retried', async () => {
    const { token } = marketplace.purchase({ offerId: 'companion-api', planId: 'standard', purchaser: purchaser() });
    marketplace.failNext(2, 429);
    const landed = await land(token);
    expect(landed.status, JSON.stringify(landed.json)).toBe(200);
    expect(landed.json!.activation).toBe('activated');
    const { token: other } = marketplace.purchase({ offerId: 'companion-api', planId: 'standard', purchaser: purchaser() });
    marketplace.failNext(10, 503);
    const unavailable = await land(other);
    marketplace.failNext(0, 503);
    expect(unavailable.status).toBe(503);
    expect(unavailable.json).toMatchObject({ code: 'MarketplaceUnavailable' });
  }, 60_000);
});

describe('Marketplace webhook', () => {
  it('refuses calls without a valid token of the Marketplace for this service and tenant', async () => {
    const { subscriptionId, orgId } = await onboard();
    const { operation, webhook } = await marketplace.raise(subscriptionId, 'ChangePlan', { planId: 'premium' });
    const cases: [string, string | undefined, number][] = [
      ['no token', undefined, 401],
      ['a forged signature', await issuer.issueAppToken({ audience: PUBLISHER_APP_ID, appId: MARKETPLACE_APP_ID, signWithUnpublishedKey: true }), 401],
      ['another audience', await issuer.issueAppToken({ audience: randomUUID(), appId: MARKETPLACE_APP_ID }), 401],
      ['an expired token', await issuer.issueAppToken({ audience: PUBLISHER_APP_ID, appId: MARKETPLACE_APP_ID, expiresInSeconds: -600 }), 401],
      ['another tenant', await issuer.issueAppToken({ audience: PUBLISHER_APP_ID, appId: MARKETPLACE_APP_ID, tenantId: randomUUID() }), 403],
      ['another caller', await issuer.issueAppToken({ audience: PUBLISHER_APP_ID, appId: randomUUID() }), 403],
    ];
    for (const [what, token, status] of cases) {
      const reply = await call('marketplace-webhook', {
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
        body: webhook.body,
      });
      expect(reply.status, what).toBe(status);
      expect(reply.headers.get('content-type'), what).toBe('application/problem+json');
    }
    // Nothing was acted on: the change is still waiting for the publisher, and the organization keeps its plan.
    expect(marketplace.operation(operation.id)?.status).toBe('InProgress');
    expect((await orgDocument(orgId))?.marketplace?.planId).toBe('standard');
  });

  it('does not act on an operation the Marketplace does not confirm', async () => {
    const { subscriptionId, orgId, key } = await onboard();
    const token = await issuer.issueAppToken({ audience: PUBLISHER_APP_ID, appId: MARKETPLACE_APP_ID });
    const forged = await call('marketplace-webhook', {
      headers: { authorization: `Bearer ${token}` },
      body: { id: randomUUID(), subscriptionId, action: 'Unsubscribe', status: 'Success', timeStamp: new Date().toISOString() },
    });
    expect(forged.status).toBe(404);
    // A real operation presented as another action is not confirmed either.
    const { webhook } = await marketplace.raise(subscriptionId, 'Renew');
    const relabelled = await deliver({ headers: webhook.headers, body: { ...webhook.body, action: 'Suspend' } });
    expect(relabelled.status).toBe(404);
    expect((await orgDocument(orgId))?.marketplace?.status).toBe('Subscribed');
    expect((await call('public-project-get', { headers: key })).status).toBe(200);
  });

  it('Suspend turns the keys away with SubscriptionNotActive and closes open sessions; Reinstate lets them in again', async () => {
    const { subscriptionId, orgId, key, agentId } = await onboard();
    const first = await openSession(key, agentId);
    const second = await openSession(key, agentId);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    const token = first.json!.token as string;
    expect((await call('public-session-message', { headers: { authorization: `Bearer ${token}` }, params: { id: first.id! }, body: { text: 'hello' } })).status).toBe(200);

    const suspended = await deliver((await marketplace.raise(subscriptionId, 'Suspend')).webhook);
    expect(suspended.status, JSON.stringify(suspended.json)).toBe(200);
    expect(suspended.json).toMatchObject({ action: 'Suspend', outcome: 'applied', subscriptionStatus: 'Suspended' });

    const refused = await call('public-project-get', { headers: key });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ code: 'SubscriptionNotActive' });
    expect((await openSession(key, agentId)).json).toMatchObject({ status: 403, code: 'SubscriptionNotActive' });
    const projectId = await orgProject(orgId);
    for (const id of [first.id!, second.id!]) {
      expect(await runtime!.services.sessionLifecycle.list({ keyId: 'k', orgId, projectId, hosting: 'hosted' }, {}, { pageIndex: 0, pageSize: 10 }).then((page) => page.items.find((s) => s.id === id))).toMatchObject({
        status: 'closed',
        closeReason: 'no_credits_left',
      });
    }

    // A repeated delivery changes nothing more.
    const again = await deliver(await marketplace.webhookCallFor(marketplace.operation((await marketplace.raise(subscriptionId, 'Renew')).operation.id)!));
    expect(again.json).toMatchObject({ outcome: 'applied', subscriptionStatus: 'Suspended' });

    const reinstated = await deliver((await marketplace.raise(subscriptionId, 'Reinstate')).webhook);
    expect(reinstated.json).toMatchObject({ action: 'Reinstate', outcome: 'applied', subscriptionStatus: 'Subscribed' });
    expect((await call('public-project-get', { headers: key })).status).toBe(200);
    expect((await openSession(key, agentId)).status).toBe(201);
  });

  it('an older Suspend delivered after a newer Reinstate does not suspend again', async () => {
    const { subscriptionId, key } = await onboard();
    const suspend = await marketplace.raise(subscriptionId, 'Suspend');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const reinstate = await marketplace.raise(subscriptionId, 'Reinstate');
    expect((await deliver(reinstate.webhook)).json).toMatchObject({ outcome: 'applied', subscriptionStatus: 'Subscribed' });
    expect((await deliver(suspend.webhook)).json).toMatchObject({ outcome: 'stale', subscriptionStatus: 'Subscribed' });
    expect((await call('public-project-get', { headers: key })).status).toBe(200);
  });

  it('ChangePlan and ChangeQuantity are accepted with the operations API and recorded on the organization', async () => {
    const { subscriptionId, orgId } = await onboard();
    const changePlan = await marketplace.raise(subscriptionId, 'ChangePlan', { planId: 'premium' });
    expect((await deliver(changePlan.webhook)).json).toMatchObject({ action: 'ChangePlan', outcome: 'applied', subscriptionStatus: 'Subscribed' });
    expect(marketplace.operation(changePlan.operation.id)?.status).toBe('Succeeded');
    expect(marketplace.subscription(subscriptionId)?.planId).toBe('premium');

    const changeQuantity = await marketplace.raise(subscriptionId, 'ChangeQuantity', { quantity: 12 });
    expect((await deliver(changeQuantity.webhook)).json).toMatchObject({ action: 'ChangeQuantity', outcome: 'applied' });
    expect(marketplace.operation(changeQuantity.operation.id)?.status).toBe('Succeeded');
    // A repeated delivery of a settled change records the same and PATCHes nothing.
    const patches = marketplace.requests().filter((r) => r.method === 'PATCH').length;
    expect((await deliver(changeQuantity.webhook)).json).toMatchObject({ outcome: 'applied' });
    expect(marketplace.requests().filter((r) => r.method === 'PATCH')).toHaveLength(patches);

    const org = await orgDocument(orgId);
    expect(org?.marketplace).toMatchObject({ planId: 'premium', quantity: 12, status: 'Subscribed' });
    expect(billingResourceOf(org!)).toMatchObject({ resourceId: subscriptionId, planId: 'premium' });
  });

  it('a webhook for a subscription that never landed changes nothing', async () => {
    const { subscriptionId } = marketplace.purchase({ offerId: 'companion-api', planId: 'standard', purchaser: purchaser() });
    const reply = await deliver((await marketplace.raise(subscriptionId, 'Unsubscribe')).webhook);
    expect(reply.json).toMatchObject({ outcome: 'unknownSubscription' });
  });
});

describe('after Unsubscribe', () => {
  it('keys answer SubscriptionNotActive, data is kept 7 days, then the retention timer deletes the projects and their data', async () => {
    const { subscriptionId, orgId, key, projectId, agentId, buyer } = await onboard();
    expect((await call('public-faq-create', { headers: key, body: { name: 'Billing', faqs: [{ question: 'Price?', answer: 'Per minute.' }] } })).status).toBe(201);
    expect((await call('public-knowledge-base-create', { headers: key, body: { name: 'Manuals' } })).status).toBe(201);
    const fn = await call('public-function-create', { headers: key, body: { data: { name: 'lookup_order', description: 'Looks up an order' }, flow: 'implicit' } });
    expect(fn.status, JSON.stringify(fn.json)).toBe(201);
    const companion = await call('public-companion-create', { headers: key, body: { description: 'A friendly guide for the museum.' } });
    expect(companion.status, JSON.stringify(companion.json)).toBe(201);
    const open = await openSession(key, agentId);
    expect(open.status).toBe(201);

    const unsubscribed = await deliver((await marketplace.raise(subscriptionId, 'Unsubscribe')).webhook);
    expect(unsubscribed.json).toMatchObject({ action: 'Unsubscribe', outcome: 'applied', subscriptionStatus: 'Unsubscribed' });
    expect((await call('public-project-get', { headers: key })).json).toMatchObject({ status: 403, code: 'SubscriptionNotActive' });
    const counts = () => documentCounts(projectId);
    const before = await counts();
    for (const [container, count] of Object.entries(before)) expect(count, container).toBeGreaterThan(0);

    const retention = timers.get('marketplace-retention')!;
    const runTimer = () => (retention.handler as (timer: Timer, context: InvocationContext) => Promise<void>)(
      { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } },
      new InvocationContext({ functionName: 'marketplace-retention' }),
    );
    clock.advance(6 * 24 * 3600_000);
    await runTimer();
    expect(await counts()).toEqual(before);

    clock.advance(24 * 3600_000 + 60_000);
    await runTimer();
    expect(await counts()).toEqual({ projects: 0, 'api-keys': 0, agents: 0, functions: 0, faqs: 0, 'knowledge-bases': 0, companions: 0, sessions: 0 });
    const org = await orgDocument(orgId);
    expect(org?.marketplace).toMatchObject({ status: 'Unsubscribed', dataDeletedAt: expect.any(String) });
    // The organization itself stays, with its admin, for the record.
    expect((await call('manage-me-get', { headers: asUser(buyer.objectId) })).json!.memberships).toHaveLength(1);
    // A later run finds nothing more to do.
    await runTimer();
  }, 60_000);
});

async function orgProject(orgId: string): Promise<string> {
  const { CosmosProjectRepository } = await import('../../shared/adapters/cosmos/project-repository.js');
  const { CountedContainer } = await import('../../shared/adapters/cosmos/counted-container.js');
  const page = await new CosmosProjectRepository(new CountedContainer(runtime!.cosmosDatabase.container('projects'))).listByOrganization(orgId, { pageIndex: 0, pageSize: 10 });
  return page.items[0]!.id;
}

async function documentCounts(projectId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const container of ['projects', 'api-keys', 'agents', 'functions', 'faqs', 'knowledge-bases', 'companions', 'sessions']) {
    const field = container === 'projects' ? 'id' : 'projectId';
    const { resources } = await runtime!.cosmosDatabase
      .container(container)
      .items.query<number>({ query: `SELECT VALUE COUNT(1) FROM c WHERE c.${field} = @p`, parameters: [{ name: '@p', value: projectId }] })
      .fetchAll();
    counts[container] = resources.reduce((a, b) => a + b, 0);
  }
  return counts;
}

import type { AccessToken, TokenCredential } from '@azure/identity';
import { InvocationContext } from '@azure/functions';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { CountedContainer } from '../../shared/adapters/cosmos/counted-container.js';
import { CosmosMeteringEventRepository } from '../../shared/adapters/cosmos/metering-repositories.js';
import { CosmosOrganizationRepository } from '../../shared/adapters/cosmos/organization-repository.js';
import { CosmosProjectRepository } from '../../shared/adapters/cosmos/project-repository.js';
import { CosmosSessionRepository } from '../../shared/adapters/cosmos/session-repository.js';
import { ArmManagedApplicationBilling, ManagedApplicationDiscoveryError } from '../../shared/adapters/metering/managed-application-billing.js';
import { createUsagePorts } from '../../shared/adapters/metering/usage-ports.js';
import { STOCK_COMPANIONS } from '../../shared/domain/stock-companions.js';
import type { Runtime } from '../../shared/runtime.js';
import { MANAGED_APPLICATION_ORG_ID } from '../../shared/services/metering-submission.js';
import { createUsageServices, type UsagePorts } from '../../shared/services/usage-services.js';
import { startFakeResourceManager, type FakeResourceManager } from '../fakes/azure-resource-manager.js';
import { startFakeEntraIssuer, type FakeEntraIssuer } from '../fakes/entra-issuer.js';
import { startFakeMeteringApi, type FakeMeteringApi } from '../fakes/marketplace-metering.js';
import { ManualClock } from '../unit/fakes/test-services.js';
import { registrations } from './helpers/function-registrations.js';
import { call } from './helpers/http-harness.js';
import { bootstrappedRuntime, releaseRuntime, silentLogger } from './helpers/test-runtime.js';

vi.mock('@azure/functions', async (importOriginal) =>
  (await import('./helpers/function-registrations.js')).capturingFunctionsModule(await importOriginal()),
);

/**
 * Metering of a managed-application install (MANAGED_APP_METERING) on the emulators: the submission finds the
 * application's resourceUsageId through the Resource Manager fake (the managed resource group's managedBy, then the
 * application), with tokens of the "managed identity" (issued by the Entra fake), and submits every organization's
 * usage to it through the Metering API fake.
 */

const BOOTSTRAP_SECRET = 'bootstrap-secret-managed-app-0123456789ab';
const MARKETPLACE_APP = 'marketplace-app-under-test';
const ARM_AUDIENCE = 'https://management.azure.com';
const IDENTITY = 'identity-of-the-function-app';
const SUBSCRIPTION = '/subscriptions/00000000-1111-2222-3333-444444444444';
const MANAGED_GROUP = `${SUBSCRIPTION}/resourceGroups/mrg-companion-20261121`;
const APPLICATION = `${SUBSCRIPTION}/resourceGroups/customer-apps/providers/Microsoft.Solutions/applications/companion`;
const RESOURCE_USAGE_ID = '0e4a9f1c-7d2b-4c8e-9a61-5b3f2e1d0c9a';
const PLAN = 'metered';
const HOUR = 3_600_000;
const H0 = Math.floor(Date.now() / HOUR) * HOUR - 30 * HOUR;
const at = (hourOffset: number, minutes: number, seconds = 0) => new Date(H0 + hourOffset * HOUR + minutes * 60_000 + seconds * 1000).toISOString();
const hourKey = (hourOffset: number) => new Date(H0 + hourOffset * HOUR).toISOString();

let runtime: Runtime | undefined;
let entra: FakeEntraIssuer;
let metering: FakeMeteringApi;
let arm: FakeResourceManager;
const clock = new ManualClock(new Date(H0 - 2 * HOUR));
let agentId: string;
let eventSeq = 0;

/** The Function App's managed identity, as the Entra fake issues its tokens: one audience per requested scope. */
class IdentityCredential implements TokenCredential {
  readonly scopes: string[] = [];
  async getToken(scopes: string | string[]): Promise<AccessToken> {
    const scope = Array.isArray(scopes) ? scopes[0]! : scopes;
    this.scopes.push(scope);
    const token = await entra.issueAppToken({ audience: scope.replace(/\/\.default$/, ''), appId: IDENTITY });
    return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}
const identity = new IdentityCredential();

const key = { 'x-api-key': BOOTSTRAP_SECRET };
const ctx = (name: string) => new InvocationContext({ functionName: name });

function setClock(time: string): void {
  const delta = Date.parse(time) - clock.now().getTime();
  if (delta > 0) clock.advance(delta);
}

async function sessionBetween(start: string, end: string): Promise<void> {
  setClock(new Date(Date.parse(start) - 1000).toISOString());
  const opened = await call('public-agent-connection-create', { headers: key, params: { agentId }, body: { channelType: 'text' } });
  expect(opened.status, JSON.stringify(opened.json)).toBe(201);
  const sessionId = opened.json!.connection.id as string;
  const send = (type: string, time: string) =>
    registrations.queues.get('session-events')!.handler({ eventId: `m${(eventSeq += 1)}`, type, projectId: 'proj_local', sessionId, at: time }, ctx('session-events'));
  await send('started', start);
  await send('closed', end);
  await registrations.queues.get('usage-events')!.handler({ projectId: 'proj_local', sessionId, reason: 'closed' }, ctx('usage-events'));
}

/** The usage ports as a new process builds them (with their own discovery cache). */
function freshPorts(): UsagePorts {
  const container = (id: string) => new CountedContainer(runtime!.cosmosDatabase.container(id));
  return createUsagePorts(runtime!.config, { queues: QueueServiceClient.fromConnectionString(inject('storageConnectionString')) }, container, () => identity);
}

function submissionOf(ports: UsagePorts) {
  const container = (id: string) => new CountedContainer(runtime!.cosmosDatabase.container(id));
  return createUsageServices(ports, {
    sessions: new CosmosSessionRepository(container('sessions')),
    organizations: new CosmosOrganizationRepository(container('organizations')),
    projects: new CosmosProjectRepository(container('projects')),
    access: runtime!.services.access,
    clock,
    logger: silentLogger,
  }).submission;
}

const armReads = () => arm.calls.filter((c) => c.status === 200).length;

beforeAll(async () => {
  entra = await startFakeEntraIssuer();
  arm = await startFakeResourceManager({ issuer: entra.issuer, jwksUrl: entra.jwksUrl, audience: ARM_AUDIENCE });
  arm.addResourceGroup({ id: MANAGED_GROUP, managedBy: APPLICATION });
  arm.addManagedApplication({ id: APPLICATION, planName: PLAN, resourceUsageId: RESOURCE_USAGE_ID, managedResourceGroupId: MANAGED_GROUP });
  metering = await startFakeMeteringApi({ issuer: entra.issuer, jwksUrl: entra.jwksUrl, audience: MARKETPLACE_APP, now: () => clock.now() });
  metering.addSubscription(RESOURCE_USAGE_ID, PLAN);
  ({ runtime } = await bootstrappedRuntime('managedappmetering', {
    apiKeySecret: BOOTSTRAP_SECRET,
    settings: {
      COMPANION_ALLOW_PRIVATE_URLS: '1',
      MANAGED_APP_METERING: 'true',
      MANAGED_APP_RESOURCE_GROUP_ID: MANAGED_GROUP,
      MANAGEMENT_API_URL: arm.url,
      MARKETPLACE_API_URL: metering.apiUrl,
      MARKETPLACE_APP_ID: MARKETPLACE_APP,
      METERING_LOOKBACK_HOURS: '24',
    },
    options: { clock },
  }));
  await import('../../functions/index.js');
  const agent = await call('public-agent-create', {
    headers: key,
    body: { companionId: STOCK_COMPANIONS[0]!.id, name: 'Managed app agent', voiceId: 'coral', disableIdleTimeout: true, maxSessionSeconds: 14_400 },
  });
  expect(agent.status, JSON.stringify(agent.json)).toBe(201);
  agentId = agent.json!.id as string;
}, 60_000);

afterAll(async () => {
  await releaseRuntime(runtime);
  await metering?.close();
  await arm?.close();
  await entra?.close();
});

describe('metering of a managed application', () => {
  it('discovery names what is missing: no read access, a resource group that is not managed, an application without a resourceUsageId', async () => {
    const discover = (resourceGroupId: string) => new ArmManagedApplicationBilling({ managementUrl: arm.url, resourceGroupId, credential: () => identity }).resolve();
    await expect(discover(MANAGED_GROUP)).rejects.toThrow(/may not read the resource group .*HTTP 403.*Reader/);

    arm.allowReader(IDENTITY);
    const plainGroup = `${SUBSCRIPTION}/resourceGroups/not-managed`;
    arm.addResourceGroup({ id: plainGroup });
    await expect(discover(plainGroup)).rejects.toThrow(/no managedBy/);

    const byolGroup = `${SUBSCRIPTION}/resourceGroups/mrg-service-catalog`;
    const byolApp = `${SUBSCRIPTION}/resourceGroups/customer-apps/providers/Microsoft.Solutions/applications/catalog-install`;
    arm.addResourceGroup({ id: byolGroup, managedBy: byolApp });
    arm.addManagedApplication({ id: byolApp, managedResourceGroupId: byolGroup, planName: PLAN });
    await expect(discover(byolGroup)).rejects.toBeInstanceOf(ManagedApplicationDiscoveryError);
    await expect(discover(byolGroup)).rejects.toThrow(/no properties\.billingDetails\.resourceUsageId/);

    await expect(discover(`${SUBSCRIPTION}/resourceGroups/gone`)).rejects.toThrow(/HTTP 404/);
    await expect(discover(MANAGED_GROUP)).resolves.toEqual({ applicationId: APPLICATION, resourceUsageId: RESOURCE_USAGE_ID, planId: PLAN });
    // Both reads with a Resource Manager token of the identity.
    expect(identity.scopes).toContain('https://management.azure.com/.default');
  });

  it("every organization's usage of an hour is submitted to the application's resourceUsageId under its plan, with the identity's Metering token; discovery is read once per process", async () => {
    await sessionBetween(at(0, 50), at(1, 20, 30)); // 10 min in 00:00, 21 in 01:00
    await sessionBetween(at(1, 5), at(1, 30, 10)); // 26 min in 01:00
    setClock(at(2, 6));
    const ports = freshPorts();
    const before = armReads();
    const summary = await submissionOf(ports).run();
    expect(summary).toMatchObject({ frozen: 2, calls: 1, accepted: 2, rejected: 0 });
    expect(armReads() - before).toBe(2);
    expect(metering.accepted().map((e) => ({ resourceId: e.resourceId, planId: e.planId, hour: e.hour, quantity: e.quantity, dimension: e.dimension }))).toEqual(
      expect.arrayContaining([
        { resourceId: RESOURCE_USAGE_ID, planId: PLAN, hour: hourKey(0), quantity: 10, dimension: 'hostedLlmMinutes' },
        { resourceId: RESOURCE_USAGE_ID, planId: PLAN, hour: hourKey(1), quantity: 47, dimension: 'hostedLlmMinutes' },
      ]),
    );
    expect(metering.accepted()).toHaveLength(2);
    expect(metering.accepted().some((e) => e.resourceId === 'org_local')).toBe(false);
    expect(identity.scopes).toContain(`${MARKETPLACE_APP}/.default`);

    const events = new CosmosMeteringEventRepository(new CountedContainer(runtime!.cosmosDatabase.container('metering-events')));
    expect(await events.get(RESOURCE_USAGE_ID, `hostedLlmMinutes:${hourKey(1)}`)).toMatchObject({
      state: 'accepted',
      orgId: MANAGED_APPLICATION_ORG_ID,
      planId: PLAN,
      quantity: 47,
    });

    // The same process: nothing new to send and no new Resource Manager reads.
    await sessionBetween(at(2, 0), at(2, 9, 59)); // 10 min
    setClock(at(3, 6));
    expect(await submissionOf(ports).run()).toMatchObject({ frozen: 1, calls: 1, accepted: 1 });
    expect(armReads() - before).toBe(2);
    expect(metering.accepted().find((e) => e.hour === hourKey(2))).toMatchObject({ resourceId: RESOURCE_USAGE_ID, quantity: 10 });
  });

  it('a run that cannot find the application settles nothing and fails with the reason; once it can, the waiting hour is submitted', async () => {
    await sessionBetween(at(3, 0), at(3, 5)); // 5 min
    setClock(at(4, 6));
    // The Metering API answers, but Resource Manager no longer names the application (e.g. the reader role removed).
    arm.addResourceGroup({ id: MANAGED_GROUP });
    await expect(submissionOf(freshPorts()).run()).rejects.toThrow(/no managedBy/);
    expect(metering.accepted().find((e) => e.hour === hourKey(3))).toBeUndefined();

    arm.addResourceGroup({ id: MANAGED_GROUP, managedBy: APPLICATION });
    setClock(at(4, 16));
    expect(await submissionOf(freshPorts()).run()).toMatchObject({ frozen: 1, accepted: 1 });
    expect(metering.accepted().find((e) => e.hour === hourKey(3))).toMatchObject({ resourceId: RESOURCE_USAGE_ID, quantity: 5, planId: PLAN });
  });
});

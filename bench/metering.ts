import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startCosmosServer } from '../local/emulators/cosmos.js';
import { cosmosOperationCount } from '../shared/adapters/cosmos/counted-container.js';
import { CountedContainer } from '../shared/adapters/cosmos/counted-container.js';
import { createUsagePorts } from '../shared/adapters/metering/usage-ports.js';
import { parseConfig } from '../shared/config.js';
import type { Clock } from '../shared/domain/clock.js';
import type { Organization } from '../shared/domain/organization.js';
import type { OrganizationRepository } from '../shared/domain/organization-repository.js';
import type { ProjectRepository } from '../shared/domain/project-repository.js';
import type { Session, SessionRepository } from '../shared/domain/session.js';
import { closedSession, type SessionClock } from '../shared/domain/session-lifecycle.js';
import { HOUR_MS, type UsageSessionSource } from '../shared/domain/usage.js';
import { createRuntime } from '../shared/runtime.js';
import type { OrganizationAccess } from '../shared/services/organization-access.js';
import { createUsageServices } from '../shared/services/usage-services.js';
import { startFakeEntraIssuer } from '../test/fakes/entra-issuer.js';
import { startFakeMeteringApi } from '../test/fakes/marketplace-metering.js';
import { round } from './stats.js';

/**
 * Metering: 100,000 billed session-minutes (the sum of the sessions' `cost.billedMinutes`) through aggregation (the
 * `usage-events` handler's service call per closed session, 8 at a time as a queue trigger's batch would run them)
 * and submission (the timer's service call: settling every hour, freezing one event per resource, dimension and hour,
 * batches of 25 to the Metering API fake over HTTP with Entra fake tokens), on the local Cosmos DB server. Sessions
 * and organizations are held in memory (they are inputs, not what is measured); usage, events and batches are in
 * Cosmos.
 */

export interface MeteringBenchResults {
  readonly sessions: number;
  readonly sessionMinutes: number;
  readonly resources: number;
  readonly hours: number;
  readonly keys: number;
  readonly aggregation: { readonly seconds: number; readonly sessionsPerSecond: number; readonly cosmosOps: number };
  readonly submission: { readonly seconds: number; readonly cosmosOps: number };
  readonly totalSeconds: number;
  readonly calls: number;
  readonly minimumCalls: number;
  readonly acceptedMinutes: number;
  readonly itemsPerCall: number;
}

class FixedClock implements Clock {
  constructor(private time: number) {}
  now(): Date {
    return new Date(this.time);
  }
  set(time: number): void {
    this.time = time;
  }
}

/** A deterministic generator, so runs compare. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

export async function runMeteringBench(options: { sessionMinutes: number; resources: number; hours: number; concurrency: number }): Promise<MeteringBenchResults> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'companion-metering-bench-'));
  const cosmos = await startCosmosServer({ certDir: path.join(root, 'cosmos') });
  const entra = await startFakeEntraIssuer();
  const appId = 'marketplace-bench-app';
  entra.addClient('bench-publisher', 'bench-secret');
  const start = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - (options.hours + 3) * HOUR_MS;
  const clock = new FixedClock(start);
  const metering = await startFakeMeteringApi({ issuer: entra.issuer, jwksUrl: entra.jwksUrl, audience: appId, now: () => clock.now() });
  try {
    const config = parseConfig({
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      COSMOS_EMULATOR_CERT_FILE: cosmos.certFile,
      COSMOS_DATABASE: 'bench-metering',
      COMPANION_DATA_DIR: path.join(root, 'data'),
      COMPANION_ALLOW_PRIVATE_URLS: '1',
      MARKETPLACE_TENANT_ID: entra.tenantId,
      MARKETPLACE_CLIENT_ID: 'bench-publisher',
      MARKETPLACE_CLIENT_SECRET: 'bench-secret',
      MARKETPLACE_AUTHORITY_URL: entra.baseUrl,
      MARKETPLACE_API_URL: metering.apiUrl,
      MARKETPLACE_APP_ID: appId,
      METERING_LOOKBACK_HOURS: String(options.hours + 4),
    });
    const runtime = await createRuntime(config, { logger: { warn: () => undefined, error: () => undefined }, clock });
    try {
      await runtime.ensureContainers();
      const container = (id: string) => new CountedContainer(runtime.cosmosDatabase.container(id));

      // Organizations, each bought through the Marketplace.
      const orgs = new Map<string, Organization>();
      for (let i = 0; i < options.resources; i += 1) {
        const subscriptionId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
        metering.addSubscription(subscriptionId, 'standard');
        orgs.set(`org_bench${i}`, {
          id: `org_bench${i}`,
          name: `Bench ${i}`,
          settings: { connectionRequestsPerSecondPerKey: 1, maxOpenSessionsPerChannelType: 5 },
          marketplace: { subscriptionId, offerId: 'companion-api', planId: 'standard', status: 'Subscribed', purchaser: {}, updatedAt: new Date(start).toISOString() },
          createdAt: new Date(start).toISOString(),
          updatedAt: new Date(start).toISOString(),
          etag: '"1"',
        });
      }

      // Closed sessions until their billed minutes add up to the target.
      const random = seeded(42);
      const sessions = new Map<string, Session>();
      let minutes = 0;
      for (let n = 0; minutes < options.sessionMinutes; n += 1) {
        const orgIndex = Math.floor(random() * options.resources);
        const startedAt = start + Math.floor(random() * (options.hours * HOUR_MS - 45 * 60_000));
        let seconds = 30 + Math.floor(random() * 40 * 60);
        const left = options.sessionMinutes - minutes;
        if (Math.ceil(seconds / 60) > left) seconds = left * 60;
        const open: SessionClock & { readonly id: string; readonly projectId: string; readonly orgId: string } = {
          id: `sess_bench${n}`,
          projectId: `proj_bench${orgIndex}`,
          orgId: `org_bench${orgIndex}`,
          hosting: random() < 0.5 ? 'custom' : 'hosted',
          status: 'started',
          createdAt: new Date(startedAt).toISOString(),
          startBy: new Date(startedAt + 900_000).toISOString(),
          startedAt: new Date(startedAt).toISOString(),
          assembled: { idleTimeoutSeconds: null, maxSessionSeconds: 14_400 },
        };
        const closed = closedSession(open, new Date(startedAt + seconds * 1000), 'connection_closed');
        minutes += closed.cost!.billedMinutes;
        // Only the fields usage reads; the rest of a session is irrelevant here.
        sessions.set(closed.id, closed as unknown as Session);
      }
      const sessionRepository = { get: async (_projectId: string, sessionId: string) => sessions.get(sessionId) } as unknown as SessionRepository;
      const organizations = { get: async (orgId: string) => orgs.get(orgId) } as unknown as OrganizationRepository;
      const sessionSource: UsageSessionSource = {
        listOpenStartedBefore: async () => [],
        listActiveBetween: async (from, to) =>
          [...sessions.values()]
            .filter((s) => s.startedAt! < to && s.closedAt! > from)
            .map((s) => ({ projectId: s.projectId, sessionId: s.id, open: false })),
      };
      const ports = {
        ...createUsagePorts(config, { queues: undefined as never }, container, () => {
          throw new Error('no managed identity in the benchmark');
        }),
        usageSessions: sessionSource,
      };
      const usage = createUsageServices(ports, {
        sessions: sessionRepository,
        organizations,
        projects: {} as ProjectRepository,
        access: {} as OrganizationAccess,
        clock,
        logger: { warn: () => undefined, error: () => undefined },
      });

      // Aggregation: every close as the usage-events handler records it.
      clock.set(start + (options.hours + 1) * HOUR_MS);
      const ids = [...sessions.values()];
      const opsBefore = cosmosOperationCount();
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: options.concurrency }, async () => {
          while (next < ids.length) {
            const s = ids[next++]!;
            await usage.recorder.record({ projectId: s.projectId, sessionId: s.id });
          }
        }),
      );
      const aggregationMs = performance.now() - t0;
      process.stderr.write(`metering bench: ${sessions.size} sessions aggregated in ${round(aggregationMs / 1000, 1)} s\n`);
      const aggregationOps = cosmosOperationCount() - opsBefore;

      // Submission: one run of the timer after the last hour closed.
      clock.set(start + (options.hours + 1) * HOUR_MS + 6 * 60_000);
      const t1 = performance.now();
      const summary = await usage.submission.run();
      const submissionMs = performance.now() - t1;
      const submissionOps = cosmosOperationCount() - opsBefore - aggregationOps;

      const accepted = metering.accepted();
      const keys = accepted.length + summary.rejected + summary.conflicts + summary.expired;
      const acceptedMinutes = accepted.reduce((n, e) => n + e.quantity, 0);
      if (acceptedMinutes !== minutes) throw new Error(`accepted ${acceptedMinutes} minutes, recorded ${minutes}`);
      const calls = metering.calls.length;
      return {
        sessions: sessions.size,
        sessionMinutes: minutes,
        resources: options.resources,
        hours: options.hours,
        keys,
        aggregation: { seconds: round(aggregationMs / 1000, 1), sessionsPerSecond: round(sessions.size / (aggregationMs / 1000), 0), cosmosOps: aggregationOps },
        submission: { seconds: round(submissionMs / 1000, 1), cosmosOps: submissionOps },
        totalSeconds: round((aggregationMs + submissionMs) / 1000, 1),
        calls,
        minimumCalls: Math.ceil(keys / 25),
        acceptedMinutes,
        itemsPerCall: round(keys / Math.max(1, calls), 1),
      };
    } finally {
      await runtime.dispose();
    }
  } finally {
    await metering.close();
    await entra.close();
    await cosmos.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startAzurite } from '../local/emulators/azurite.js';
import { startCosmosServer } from '../local/emulators/cosmos.js';
import { startServiceProcess } from '../local/service-process.js';
import { parseConfig } from '../shared/config.js';
import type { Clock } from '../shared/domain/clock.js';
import { createRuntime } from '../shared/runtime.js';
import { RateLimitedError } from '../shared/domain/errors.js';
import { cosmosOperationCount } from '../shared/adapters/cosmos/counted-container.js';
import { round, timing, type Timing } from './stats.js';

/**
 * Sessions: what opening one costs (through `npm start`'s local host: wall time at the client and Cosmos requests
 * per creation, target ≤ 8), and what the sweeper costs with 1,000 open sessions (its service call on the emulators,
 * with a clock the benchmark moves: nothing due, then 100 idle warnings, then 100 idle closes).
 */

export interface SessionBenchResults {
  readonly creations: number;
  readonly creation: Timing;
  readonly storeOpsPerCreation: number;
  readonly agentShape: string;
  readonly openSessions: number;
  readonly sweepIdle: { readonly ms: Timing; readonly storeOps: number };
  readonly sweepWarn: { readonly ms: number; readonly storeOps: number; readonly warned: number };
  readonly sweepClose: { readonly ms: number; readonly storeOps: number; readonly closed: number };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of the service
type Json = Record<string, any>;

class MovableClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export async function runSessionBench(options: { creations: number; openSessions: number }): Promise<SessionBenchResults> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'companion-session-bench-'));
  const azurite = await startAzurite({ location: path.join(root, 'azurite') });
  const cosmos = await startCosmosServer({ certDir: path.join(root, 'cosmos') });
  try {
    // 1. Connection creation through the local host.
    const apiKey = `bench_${'s'.repeat(30)}`;
    const admin = `bench_admin_${'a'.repeat(30)}`;
    const service = await startServiceProcess({
      COMPANION_DATA_DIR: path.join(root, 'data'),
      COMPANION_BOOTSTRAP_API_KEY: apiKey,
      COMPANION_DEV_ADMIN_TOKEN: admin,
      COMPANION_ALLOW_PRIVATE_URLS: '1',
      AzureWebJobsStorage: azurite.connectionString,
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      COSMOS_EMULATOR_CERT_FILE: cosmos.certFile,
    });
    const creation: number[] = [];
    let ops = 0;
    const agentShape = 'a stock companion, 2 functions, 1 FAQ collection, 1 knowledge base';
    try {
      const call = async (method: string, route: string, body?: unknown, bearer?: string): Promise<Json> => {
        const headers: Record<string, string> = bearer === undefined ? { 'x-api-key': apiKey } : { authorization: `Bearer ${bearer}` };
        if (body !== undefined) headers['content-type'] = 'application/json';
        const response = await fetch(`${service.url}/${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
        const text = await response.text();
        if (response.status >= 300) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
        return (text === '' ? {} : JSON.parse(text)) as Json;
      };
      const org = (await call('GET', 'public/project')).organization.id as string;
      // The benchmark opens sessions faster than the default limits allow; the limits' own writes still happen.
      await call('PATCH', `manage/orgs/${org}`, { settings: { connectionRequestsPerSecondPerKey: 100, maxOpenSessionsPerChannelType: 1000 } }, admin);
      const fns = [];
      for (const name of ['lookup_order', 'open_page']) {
        fns.push((await call('POST', 'public/functions', { data: { name }, flow: 'implicit' })).id as string);
      }
      const faq = await call('POST', 'public/faqs', { name: 'Support', faqs: [{ question: 'Hours?', answer: '9 to 5.' }] });
      const base = await call('POST', 'public/knowledge-bases', { name: 'Manuals' });
      const stock = (await call('GET', 'public/companions/stock')).items[0];
      const agent = await call('POST', 'public/agents', {
        companionId: stock.id,
        name: 'Bench',
        voiceId: 'coral',
        functions: fns,
        faqCollections: [faq.id],
        knowledgeBaseId: base.id,
      });
      const open = () => call('POST', `public/agents/${agent.id}/connections`, { channelType: 'text' });
      for (let i = 0; i < 10; i += 1) await call('DELETE', `public/connections/${(await open()).connection.id}`);
      for (let i = 0; i < options.creations; i += 1) {
        const started = performance.now();
        const opened = await open();
        creation.push(performance.now() - started);
        await call('DELETE', `public/connections/${opened.connection.id}`);
      }
    } finally {
      await service.stop();
    }

    // 2. The sweeper's service call with many open sessions, on its own database, with a clock it moves.
    const clock = new MovableClock();
    const config = parseConfig({
      AzureWebJobsStorage: azurite.connectionString,
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      COSMOS_EMULATOR_CERT_FILE: cosmos.certFile,
      COSMOS_DATABASE: 'bench-sweeper',
      COMPANION_DATA_DIR: path.join(root, 'data-sweeper'),
      SESSION_TOKEN_TTL_SECONDS: '3600',
    });
    const runtime = await createRuntime(config, { logger: { warn: () => undefined, error: () => undefined }, clock });
    try {
      await runtime.ensureContainers();
      const boot = await runtime.services.bootstrap.ensureLocalBootstrap({ devAdminUserId: 'dev-admin', apiKeySecret: apiKey });
      await runtime.services.organizations.update(
        { userId: 'dev-admin', kind: 'devAdmin', email: undefined, name: undefined },
        boot.org.id,
        { settings: { connectionRequestsPerSecondPerKey: 100, maxOpenSessionsPerChannelType: 10_000 } },
        undefined,
      );
      const principal = await runtime.services.apiKeys.authenticate(apiKey);
      const stock = runtime.services.catalog.stock({ pageIndex: 0, pageSize: 1 }).items[0]!;

      // Store operations of a creation, counted in this process (the service process's own background work, such as
      // the sweeper and the queue consumers, would blur a count at the Cosmos server): authenticating the key and
      // opening the session, for the same agent shape.
      const fnIds: string[] = [];
      for (const name of ['lookup_order', 'open_page']) fnIds.push((await runtime.services.agentFunctions.create(principal, { data: { name }, flow: 'implicit' })).id);
      const faq = await runtime.services.faqs.create(principal, { name: 'Support', faqs: [{ question: 'Hours?', answer: '9 to 5.' }] });
      const base = await runtime.services.knowledgeBases.create(principal, { name: 'Manuals', provider: 'azureOpenAI' });
      const shaped = await runtime.services.agents.create(principal, {
        companionId: stock.id,
        name: 'Shaped',
        voiceId: 'coral',
        functions: fnIds,
        faqCollections: [faq.id],
        knowledgeBaseId: base.id,
      });
      for (let i = 0; i < 30; i += 1) {
        const before = cosmosOperationCount();
        const caller = await runtime.services.apiKeys.authenticate(apiKey);
        const opened = await runtime.services.sessions.connect(caller, shaped.id, { channelType: 'text' });
        if (i >= 10) ops += cosmosOperationCount() - before;
        await runtime.services.sessionLifecycle.endConnection(caller, opened.session.id);
      }
      ops /= 20;
      const idleAgent = await runtime.services.agents.create(principal, { companionId: stock.id, name: 'Idle', voiceId: 'coral', idleTimeoutSeconds: 600 });
      const quietAgent = await runtime.services.agents.create(principal, { companionId: stock.id, name: 'Quiet', voiceId: 'coral', idleTimeoutSeconds: 3600 });
      // 900 sessions far from any deadline, 100 that go idle first; all started by a message.
      const sessions: { id: string; token: string }[] = [];
      for (let i = 0; i < options.openSessions; i += 1) {
        const agentId = i < 100 ? idleAgent.id : quietAgent.id;
        // Setting up goes faster than the key's 100 connections a second: wait for the next second when refused.
        const opened = await runtime.services.sessions.connect(principal, agentId, { channelType: 'text' }).catch(async (err: unknown) => {
          if (!(err instanceof RateLimitedError)) throw err;
          await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
          return runtime.services.sessions.connect(principal, agentId, { channelType: 'text' });
        });
        const claims = { sessionId: opened.session.id, projectId: opened.session.projectId, orgId: opened.session.orgId };
        await runtime.services.sessions.message(claims, opened.session.id, { text: 'hi', triggerResponse: false });
        sessions.push({ id: opened.session.id, token: opened.token });
      }
      const counted = async <T>(work: () => Promise<T>) => {
        const before = cosmos.requestCount();
        const started = performance.now();
        const result = await work();
        return { result, ms: performance.now() - started, ops: cosmos.requestCount() - before };
      };
      const idleRuns: number[] = [];
      let idleOps = 0;
      for (let i = 0; i < 20; i += 1) {
        const run = await counted(() => runtime.services.sessionLifecycle.sweep());
        idleRuns.push(run.ms);
        idleOps = run.ops;
      }
      clock.advance((600 - 60 + 1) * 1000); // the idle agent's sessions reach their 60 s warning
      const warn = await counted(() => runtime.services.sessionLifecycle.sweep());
      clock.advance(60 * 1000); // and their close
      const close = await counted(() => runtime.services.sessionLifecycle.sweep());
      return {
        creations: creation.length,
        creation: timing(creation),
        storeOpsPerCreation: round(ops, 2),
        agentShape,
        openSessions: sessions.length,
        sweepIdle: { ms: timing(idleRuns), storeOps: idleOps },
        sweepWarn: { ms: round(warn.ms, 1), storeOps: warn.ops, warned: warn.result.warned },
        sweepClose: { ms: round(close.ms, 1), storeOps: close.ops, closed: close.result.closed },
      };
    } finally {
      await runtime.dispose();
    }
  } finally {
    await Promise.all([azurite.stop(), cosmos.stop()]);
    rmSync(root, { recursive: true, force: true });
  }
}

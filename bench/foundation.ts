import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { startAzurite } from '../local/emulators/azurite.js';
import { startCosmosServer } from '../local/emulators/cosmos.js';
import { startServiceProcess } from '../local/service-process.js';
import { median, round } from './stats.js';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface FoundationResults {
  readonly coldStart: {
    libraryMs: number;
    modulesMs: number;
    bundleMs: number;
    modulesRatio: number;
    bundleRatio: number;
    runs: number;
  };
  readonly apiOverhead: {
    readonly service: LoadFigures;
    readonly bare: LoadFigures;
    readonly throughputRatio: number;
    readonly meanLatencyRatio: number;
  };
  readonly storeOps: { requests: number; cosmosRequests: number; perRequest: number };
}

interface LoadFigures {
  readonly requestsPerSecond: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
}

/** Cold start: each import in a fresh Node process, interleaved, median of the runs. */
async function coldStart(runs: number): Promise<FoundationResults['coldStart']> {
  const probe = path.join(HERE, 'import-probe.js');
  const samples: Record<'library' | 'modules' | 'bundle', number[]> = { library: [], modules: [], bundle: [] };
  for (let i = 0; i < runs; i += 1) {
    for (const target of ['library', 'modules', 'bundle'] as const) {
      const { stdout } = await run(process.execPath, [probe, target]);
      samples[target].push((JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { ms: number }).ms);
    }
  }
  const libraryMs = median(samples.library);
  const modulesMs = median(samples.modules);
  const bundleMs = median(samples.bundle);
  return {
    libraryMs: round(libraryMs),
    modulesMs: round(modulesMs),
    bundleMs: round(bundleMs),
    modulesRatio: round(modulesMs / libraryMs),
    bundleRatio: round(bundleMs / libraryMs),
    runs,
  };
}

async function load(url: string, headers: Record<string, string>, seconds: number): Promise<LoadFigures> {
  const result = await autocannon({ url, connections: 16, duration: seconds, headers });
  return {
    requestsPerSecond: round(result.requests.average, 0),
    // autocannon's latency histogram has whole-millisecond resolution, too coarse for a bare server; with a
    // closed loop of 16 connections, Little's law gives the mean latency exactly: connections / throughput.
    meanMs: round((16 / result.requests.average) * 1000, 3),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
  };
}

async function startBareServer(body: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [path.join(HERE, 'bare-server.js'), body], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const match = /listening (\S+)/.exec(chunk.toString());
      if (match?.[1]) resolve(match[1]);
    });
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

export async function runFoundationBench(options: { seconds: number; coldRuns: number }): Promise<FoundationResults> {
  const cold = await coldStart(options.coldRuns);

  // The emulators run in this process so the Cosmos server's request counter is readable here.
  const root = mkdtempSync(path.join(os.tmpdir(), 'companion-bench-'));
  const azurite = await startAzurite({ location: path.join(root, 'azurite') });
  const cosmos = await startCosmosServer({ certDir: path.join(root, 'cosmos') });
  const apiKey = `bench_${'k'.repeat(30)}`;
  const service = await startServiceProcess({
    COMPANION_DATA_DIR: path.join(root, 'data'),
    COMPANION_BOOTSTRAP_API_KEY: apiKey,
    AzureWebJobsStorage: azurite.connectionString,
    COSMOS_ENDPOINT: cosmos.endpoint,
    COSMOS_KEY: cosmos.key,
    COSMOS_EMULATOR_CERT_FILE: cosmos.certFile,
  });
  try {
    const target = `${service.url}/public/project`;
    const headers = { 'x-api-key': apiKey };
    const first = await fetch(target, { headers });
    const body = await first.text();
    if (first.status !== 200) throw new Error(`GET /public/project answered ${first.status}: ${body}`);

    // Warm the per-process caches, then count Cosmos requests over sequential authenticated requests.
    for (let i = 0; i < 20; i += 1) await (await fetch(target, { headers })).arrayBuffer();
    const requests = 200;
    const before = cosmos.requestCount();
    for (let i = 0; i < requests; i += 1) await (await fetch(target, { headers })).arrayBuffer();
    const cosmosRequests = cosmos.requestCount() - before;

    const bare = await startBareServer(body);
    let bareFigures: LoadFigures;
    try {
      bareFigures = await load(bare.url, headers, options.seconds);
    } finally {
      bare.stop();
    }
    const serviceFigures = await load(target, headers, options.seconds);
    return {
      coldStart: cold,
      apiOverhead: {
        service: serviceFigures,
        bare: bareFigures,
        throughputRatio: round(bareFigures.requestsPerSecond / serviceFigures.requestsPerSecond),
        meanLatencyRatio: round(serviceFigures.meanMs / bareFigures.meanMs),
      },
      storeOps: { requests, cosmosRequests, perRequest: round(cosmosRequests / requests, 3) },
    };
  } finally {
    await service.stop();
    await Promise.all([azurite.stop(), cosmos.stop()]);
    rmSync(root, { recursive: true, force: true });
  }
}

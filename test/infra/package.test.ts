import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureContainers } from '../../shared/adapters/cosmos/containers.js';
import { REPO_ROOT } from '../../local/infra-inventory.js';
import { unzipTo } from '../../local/unzip.js';

/**
 * `npm run package` builds the zip that is deployed, and that zip runs on its own: unzipped into an empty folder (no
 * node_modules above it), its bundle is served by the local Functions host with the package's host.json and answers
 * over HTTP against the real emulators. Uses the build of `npm test` / `npm run build`.
 */

const work = mkdtempSync(path.join(os.tmpdir(), 'companion-package-'));
const zipFile = path.join(work, 'companion-api.zip');
const appDir = path.join(work, 'app');
const database = `package-${process.pid}`;
let packageOutput = '';
let host: ChildProcess | undefined;
let hostOutput = '';
let ready: { url: string; importMs: number; functions: { name: string; trigger?: string; source?: string }[]; preInvocationHooks: number };

/** The package served as the Functions host would, with the test's stores; `extra` adds or overrides settings. */
async function startPackageHost(extra: Record<string, string>): Promise<{ child: ChildProcess; ready: typeof ready }> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'local', 'package-host.js'), appDir], {
    cwd: appDir,
    env: {
      PATH: process.env['PATH'] ?? '',
      PORT: '0',
      AzureWebJobsStorage: inject('storageConnectionString'),
      COSMOS_ENDPOINT: inject('cosmosEndpoint'),
      COSMOS_KEY: inject('cosmosKey'),
      COSMOS_EMULATOR_CERT_FILE: inject('cosmosCertFile'),
      COSMOS_DATABASE: database,
      COMPANION_DATA_DIR: path.join(work, 'data'),
      // An issuer whose keys are never reached: a token that is not even a JWT is refused before, with a log line.
      MANAGE_AUTH_ISSUER: 'https://login.example.invalid/tenant/v2.0',
      MANAGE_AUTH_AUDIENCE: 'api://companion-package-test',
      MANAGE_AUTH_JWKS_URL: 'https://127.0.0.1:9/keys',
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => (hostOutput += chunk.toString()));
  const started = await new Promise<typeof ready>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`package host not ready:\n${hostOutput}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{"ready":true'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as typeof ready);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`package host exited with ${code}:\n${hostOutput}`));
    });
  });
  return { child, ready: started };
}

async function stopPackageHost(child: ChildProcess | undefined): Promise<void> {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

beforeAll(async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'dist', 'local', 'package.js'), '--out', zipFile], {
    cwd: REPO_ROOT,
  });
  packageOutput = stdout;
  await unzipTo(zipFile, appDir);

  const cosmos = new CosmosClient({
    endpoint: inject('cosmosEndpoint'),
    key: inject('cosmosKey'),
    agent: new Agent({ ca: readFileSync(inject('cosmosCertFile')) }),
  });
  await ensureContainers(cosmos.database(database));
  cosmos.dispose();

  ({ child: host, ready } = await startPackageHost({}));
}, 90_000);

afterAll(async () => {
  await stopPackageHost(host);
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('npm run package: the deployable zip', () => {
  it('prints the size of the zip it wrote', () => {
    const size = readFileSync(zipFile).length;
    expect(packageOutput).toContain(`(${size} bytes)`);
    // The bundle keeps the package small: far below the 1.5 GB a Flex Consumption deployment may be.
    expect(size).toBeLessThan(100 * 1024 * 1024);
  });

  it('holds host.json, the bundle named by its package.json, and no dev dependencies, sources or tests', () => {
    const manifest = JSON.parse(readFileSync(path.join(appDir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest['main']).toBe('dist/app/index.js');
    expect(manifest['type']).toBe('module');
    expect(manifest).not.toHaveProperty('devDependencies');
    expect(manifest).not.toHaveProperty('scripts');
    expect(JSON.parse(readFileSync(path.join(appDir, 'host.json'), 'utf8'))).toEqual(JSON.parse(readFileSync(path.join(REPO_ROOT, 'host.json'), 'utf8')));
    expect(existsSync(path.join(appDir, 'dist', 'app', 'index.js'))).toBe(true);
    for (const absent of ['functions', 'shared', 'test', 'local', 'dist/shared', 'node_modules/vitest', 'node_modules/azurite', 'node_modules/esbuild', 'node_modules/zod']) {
      expect(existsSync(path.join(appDir, absent)), absent).toBe(false);
    }
  });

  it('ships every package the bundle imports at run time, with its own dependencies', () => {
    for (const name of ['@azure/functions', '@azure/cosmos', '@azure/storage-blob', '@azure/storage-queue', '@azure/identity', 'sharp', 'jose']) {
      expect(packageOutput).toContain(name);
      expect(existsSync(path.join(appDir, 'node_modules', name, 'package.json')), name).toBe(true);
    }
    // Transitive: @azure/cosmos needs @azure/core-rest-pipeline; sharp needs its native binary for this platform.
    expect(existsSync(path.join(appDir, 'node_modules', '@azure', 'core-rest-pipeline', 'package.json'))).toBe(true);
    expect(existsSync(path.join(appDir, 'node_modules', '@img', `sharp-${process.platform}-${process.arch}`, 'package.json'))).toBe(true);
  });

  it('registers every function from the unzipped bundle, blob triggers through Event Grid', () => {
    expect(ready.functions.length).toBeGreaterThan(20);
    const triggers = new Set(ready.functions.map((f) => f.trigger));
    expect([...triggers].sort()).toEqual(['blobTrigger', 'httpTrigger', 'queueTrigger', 'timerTrigger']);
    for (const blob of ready.functions.filter((f) => f.trigger === 'blobTrigger')) expect(blob.source, blob.name).toBe('EventGrid');
    // The hook that gives every invocation's log lines their invocation and correlation ids.
    expect(ready.preInvocationHooks).toBe(1);
  });

  it('serves the API from the package: health with both stores, the OpenAPI document, and API key checks', async () => {
    const health = await fetch(`${ready.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', checks: { storage: 'ok', cosmos: 'ok' } });

    const openapi = await fetch(`${ready.url}/openapi.json`);
    expect(openapi.status).toBe(200);
    expect(((await openapi.json()) as { openapi: string }).openapi).toMatch(/^3\.1/);

    const project = await fetch(`${ready.url}/public/project`, { headers: { 'x-api-key': 'not-a-key-of-this-deployment' } });
    expect(project.status).toBe(401);
    expect(await project.json()).toMatchObject({ code: 'InvalidApiKey' });

    // The dashboard ships in the package: its page and the scripts it names.
    const dashboard = await fetch(`${ready.url}/dashboard/`);
    expect(dashboard.status).toBe(200);
    const html = await dashboard.text();
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${ready.url}/dashboard/${script}`)).status).toBe(200);
  });

  it('leaves out, in Azure, the routes the Functions host reserves for itself (admin, runtime)', async () => {
    const local = ready.functions.map((f) => f.name);
    expect(local).toEqual(expect.arrayContaining(['dashboard', 'dashboard-at-admin']));
    const azure = await startPackageHost({ WEBSITE_SITE_NAME: 'companion-package-test', PORT: '0' });
    try {
      const names = azure.ready.functions.map((f) => f.name);
      expect(names).toContain('dashboard');
      expect(names).not.toContain('dashboard-at-admin');
      expect(names.length).toBe(local.length - 1);
    } finally {
      await stopPackageHost(azure.child);
    }
  });

  it('writes structured log lines that carry the invocation and correlation ids, and never the token', async () => {
    const token = 'not-a-jwt-but-a-secret-0123456789';
    const res = await fetch(`${ready.url}/manage/me`, { headers: { authorization: `Bearer ${token}`, 'x-correlation-id': 'package-test-7' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-correlation-id')).toBe('package-test-7');
    const requestId = res.headers.get('x-request-id');
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && line === undefined; i += 1) {
      line = hostOutput
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l['message'] === 'manage token rejected');
      if (line === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(line).toMatchObject({ level: 'warning', correlationId: 'package-test-7', invocationId: requestId, functionName: expect.any(String) });
    expect(hostOutput).not.toContain(token);
  });
});

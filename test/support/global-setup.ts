import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startAzurite } from '../../local/emulators/azurite.js';
import { startCosmosServer } from '../../local/emulators/cosmos.js';

declare module 'vitest' {
  export interface ProvidedContext {
    storageConnectionString: string;
    cosmosEndpoint: string;
    cosmosKey: string;
    cosmosCertFile: string;
  }
}

/** Starts the real emulators once per test run; every test file gets their addresses through `inject`. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'companion-test-'));
  const [azurite, cosmos] = await Promise.all([
    startAzurite({ location: path.join(root, 'azurite') }),
    startCosmosServer({ certDir: path.join(root, 'cosmos') }),
  ]);
  project.provide('storageConnectionString', azurite.connectionString);
  project.provide('cosmosEndpoint', cosmos.endpoint);
  project.provide('cosmosKey', cosmos.key);
  project.provide('cosmosCertFile', cosmos.certFile);
  return async () => {
    await Promise.all([azurite.stop(), cosmos.stop()]);
    rmSync(root, { recursive: true, force: true });
  };
}

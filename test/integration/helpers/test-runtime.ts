import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { parseConfig, type Config } from '../../../shared/config.js';
import type { Logger } from '../../../shared/domain/logger.js';
import { createRuntime, setRuntime, type Runtime, type RuntimeOptions } from '../../../shared/runtime.js';

/** Settings pointing at the emulators started by the global setup, with a database of this test file's own. */
export function emulatorConfig(databasePrefix: string, overrides: Record<string, string> = {}): Config {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'companion-it-'));
  return parseConfig({
    AzureWebJobsStorage: inject('storageConnectionString'),
    COSMOS_ENDPOINT: inject('cosmosEndpoint'),
    COSMOS_KEY: inject('cosmosKey'),
    COSMOS_EMULATOR_CERT_FILE: inject('cosmosCertFile'),
    COSMOS_DATABASE: `${databasePrefix}-${randomBytes(4).toString('hex')}`,
    COMPANION_DATA_DIR: dataDir,
    ...overrides,
  });
}

export const silentLogger: Logger = { warn: () => undefined, error: () => undefined };

/** A runtime on the real emulators with its containers created. */
export async function emulatorRuntime(databasePrefix: string, overrides: Record<string, string> = {}): Promise<Runtime> {
  const runtime = await createRuntime(emulatorConfig(databasePrefix, overrides), { logger: silentLogger });
  await runtime.ensureContainers();
  return runtime;
}

export interface BootstrapOptions {
  /** The secret of the bootstrap project's API key. */
  readonly apiKeySecret: string;
  /** Settings on top of the emulators'. */
  readonly settings?: Record<string, string>;
  /** Runtime options on top of the silent logger. */
  readonly options?: RuntimeOptions;
  /**
   * Keep API.md's default session limits (1 connection request per second per key, 5 open sessions per channel type).
   * Otherwise the bootstrap organization gets generous ones: tests open sessions faster and more often than users do.
   */
  readonly defaultSessionLimits?: boolean;
}

/**
 * A runtime on the real emulators with its containers created and the local bootstrap (the `dev-admin` user, the
 * default organization and project, an API key with the given secret) in place, installed as the functions' runtime.
 */
export async function bootstrappedRuntime(
  databasePrefix: string,
  { apiKeySecret, settings = {}, options = {}, defaultSessionLimits = false }: BootstrapOptions,
) {
  const runtime = await createRuntime(emulatorConfig(databasePrefix, settings), { logger: silentLogger, ...options });
  await runtime.ensureContainers();
  const bootstrap = await runtime.services.bootstrap.ensureLocalBootstrap({ devAdminUserId: 'dev-admin', apiKeySecret });
  if (!defaultSessionLimits) {
    await runtime.services.organizations.update(
      { userId: 'dev-admin', kind: 'devAdmin', email: undefined, name: undefined },
      bootstrap.org.id,
      { settings: { connectionRequestsPerSecondPerKey: 100, maxOpenSessionsPerChannelType: 1000 } },
      undefined,
    );
  }
  setRuntime(runtime);
  return { runtime, bootstrap };
}

/** Uninstalls the functions' runtime and disposes of it. */
export async function releaseRuntime(runtime: Runtime | undefined): Promise<void> {
  setRuntime(undefined);
  await runtime?.dispose();
}

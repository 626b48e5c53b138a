import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CosmosClient } from '@azure/cosmos';
import { parseConfig, resetConfigForTests, type Config } from '../shared/config.js';
import { loadBootstrapSecrets } from './bootstrap-secrets.js';
import { allowBrowserUploads, localServiceOrigins, startAzurite, type RunningAzurite } from './emulators/azurite.js';
import { loadCosmosSnapshot, writeCosmosSnapshot } from './emulators/cosmos-snapshot.js';
import { startCosmosServer, type RunningCosmosServer } from './emulators/cosmos.js';
import { installFunctionsCore } from './functions-core/index.js';
import { startLocalHost, type LocalHost } from './host/index.js';

/** The folder holding host.json and dist/: two levels above this file once built (dist/local/stack.js). */
const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function appMain(): string {
  const manifest = JSON.parse(readFileSync(path.join(APP_DIR, 'package.json'), 'utf8')) as { main?: string };
  if (!manifest.main) throw new Error('package.json has no "main" entry for the function app');
  return manifest.main;
}

export interface LocalStackOptions {
  readonly env: Record<string, string | undefined>;
  readonly log: (line: string) => void;
}

export interface LocalStack {
  readonly url: string;
  readonly config: Config;
  readonly bootstrap: {
    readonly organization: { readonly id: string; readonly name: string };
    readonly project: { readonly id: string; readonly name: string };
    readonly apiKey: string;
    readonly devAdminToken: string;
    readonly generated: { readonly apiKey: boolean; readonly devAdminToken: boolean };
  };
  /** Requests served by the local Cosmos server so far (undefined against a real account). */
  cosmosRequestCount(): number | undefined;
  stop(): Promise<void>;
}

const SNAPSHOT_INTERVAL_MS = 15_000;

/**
 * Brings up the whole service on one machine: the emulators (unless the settings name real services), the
 * Cosmos database and containers, the bootstrap tenant, and the local Functions host serving `functions/`.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const env = options.env;
  const dataDir = path.resolve(env['COMPANION_DATA_DIR'] ?? '.data');
  const secrets = loadBootstrapSecrets(dataDir, {
    apiKey: env['COMPANION_BOOTSTRAP_API_KEY']?.trim() || undefined,
    devAdminToken: env['COMPANION_DEV_ADMIN_TOKEN']?.trim() || undefined,
  });

  const started: { azurite?: RunningAzurite; cosmos?: RunningCosmosServer } = {};
  const stopEmulators = async (): Promise<void> => {
    await Promise.all([started.azurite?.stop(), started.cosmos?.stop()]);
  };
  try {
    if (!env['AzureWebJobsStorage'] && !env['AzureWebJobsStorage__accountName']) {
      started.azurite = await startAzurite({ location: path.join(dataDir, 'azurite') });
      env['AzureWebJobsStorage'] = started.azurite.connectionString;
    }
    if (!env['COSMOS_ENDPOINT']) {
      started.cosmos = await startCosmosServer({ certDir: path.join(dataDir, 'cosmos') });
      env['COSMOS_ENDPOINT'] = started.cosmos.endpoint;
      env['COSMOS_KEY'] = started.cosmos.key;
      env['COSMOS_EMULATOR_CERT_FILE'] = started.cosmos.certFile;
    }
    env['COMPANION_DATA_DIR'] = dataDir;
    env['COMPANION_BOOTSTRAP_API_KEY'] = secrets.apiKey;
    env['COMPANION_DEV_ADMIN_TOKEN'] = secrets.devAdminToken;

    // The functions read process.env through getConfig(); validate the same values here first so a bad
    // setting stops start-up with its name before anything is served.
    const config = parseConfig(env);
    for (const [name, value] of Object.entries(env)) {
      if (value !== undefined) process.env[name] = value;
    }
    resetConfigForTests();

    const snapshotFile = path.join(dataDir, 'cosmos-snapshot.json');
    let snapshotClient: CosmosClient | undefined;
    if (started.cosmos) {
      snapshotClient = new CosmosClient({
        endpoint: started.cosmos.endpoint,
        key: started.cosmos.key,
        agent: new Agent({ ca: readFileSync(started.cosmos.certFile), keepAlive: true }),
      });
      const restored = await loadCosmosSnapshot(snapshotClient, snapshotFile);
      if (restored > 0) options.log(`Restored ${restored} documents from ${snapshotFile}`);
    }

    // Containers and the bootstrap tenant go through the same code the functions use.
    const { ensureContainers } = await import('../shared/adapters/cosmos/containers.js');
    const { getRuntime } = await import('../shared/runtime.js');
    const runtime = await getRuntime();
    await ensureContainers(runtime.cosmosDatabase);
    const tenant = await runtime.services.bootstrap.ensureLocalBootstrap({
      apiKeySecret: secrets.apiKey,
    });

    installFunctionsCore();
    // The same bundle package.json names as "main", which is what runs in Azure.
    await import(pathToFileURL(path.join(APP_DIR, appMain())).href);
    const host: LocalHost = await startLocalHost({
      appDir: APP_DIR,
      port: config.port,
      settings: env,
      log: (line) => options.log(JSON.stringify(line)),
    });
    if (started.azurite) {
      // The dashboard PUTs uploads from the browser straight to the upload URLs, which point at Azurite. Its origin is
      // the host's, whose port is only known now (PORT=0 picks a free one); nothing is uploaded before this returns.
      try {
        await allowBrowserUploads(started.azurite.connectionString, localServiceOrigins(host.url));
      } catch (err) {
        await host.stop();
        throw err;
      }
    }

    let lastSnapshotAt = started.cosmos?.requestCount() ?? 0;
    const snapshot = async (): Promise<void> => {
      if (!snapshotClient || !started.cosmos) return;
      const count = started.cosmos.requestCount();
      if (count === lastSnapshotAt) return;
      await writeCosmosSnapshot(snapshotClient, snapshotFile);
      // The snapshot's own reads count as requests; remember the count after them.
      lastSnapshotAt = started.cosmos.requestCount();
    };
    const timer = setInterval(() => {
      snapshot().catch((err: unknown) => options.log(`Cosmos snapshot failed: ${String(err)}`));
    }, SNAPSHOT_INTERVAL_MS);
    timer.unref();

    let stopping: Promise<void> | undefined;
    return {
      url: host.url,
      config,
      bootstrap: {
        organization: { id: tenant.org.id, name: tenant.org.name },
        project: { id: tenant.project.id, name: tenant.project.name },
        apiKey: secrets.apiKey,
        devAdminToken: secrets.devAdminToken,
        generated: secrets.generated,
      },
      cosmosRequestCount: () => started.cosmos?.requestCount(),
      stop() {
        stopping ??= (async () => {
          clearInterval(timer);
          await host.stop();
          if (snapshotClient) {
            lastSnapshotAt = -1;
            await snapshot();
            snapshotClient.dispose();
          }
          await stopEmulators();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await stopEmulators();
    throw err;
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAzurite, type RunningAzurite } from '../local/emulators/azurite.js';
import { startCosmosServer, type RunningCosmosServer } from '../local/emulators/cosmos.js';

/** Azurite and the local Cosmos server in the benchmark's own process, in a temporary folder of their own. */
export interface BenchEmulators {
  readonly azurite: RunningAzurite;
  readonly cosmos: RunningCosmosServer;
  /** The settings of a runtime on these emulators, with its own database and data folder. */
  settings(database: string): Record<string, string>;
  /** Stops both and removes the folder. */
  stop(): Promise<void>;
}

export async function startBenchEmulators(folderPrefix: string): Promise<BenchEmulators> {
  const root = mkdtempSync(path.join(os.tmpdir(), folderPrefix));
  const [azurite, cosmos] = await Promise.all([
    startAzurite({ location: path.join(root, 'azurite') }),
    startCosmosServer({ certDir: path.join(root, 'cosmos') }),
  ]);
  return {
    azurite,
    cosmos,
    settings: (database) => ({
      AzureWebJobsStorage: azurite.connectionString,
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      COSMOS_EMULATOR_CERT_FILE: cosmos.certFile,
      COSMOS_DATABASE: database,
      COMPANION_DATA_DIR: path.join(root, `data-${database}`),
    }),
    stop: async () => {
      await Promise.all([azurite.stop(), cosmos.stop()]);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

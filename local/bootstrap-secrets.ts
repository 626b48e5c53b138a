import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const savedSecrets = z.object({ apiKey: z.string().min(20), devAdminToken: z.string().min(20) });

export interface BootstrapSecrets {
  readonly apiKey: string;
  readonly devAdminToken: string;
  /** Where each value came from, so start-up can say whether it was generated. */
  readonly generated: { readonly apiKey: boolean; readonly devAdminToken: boolean };
}

function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(30).toString('base64url')}`;
}

/**
 * The bootstrap API key and dev admin token: taken from the settings when given, else the ones saved in
 * `<data folder>/bootstrap.json`, else generated and saved there (mode 0600) so a restart keeps them.
 */
export function loadBootstrapSecrets(
  dataDir: string,
  fromSettings: { apiKey: string | undefined; devAdminToken: string | undefined },
): BootstrapSecrets {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'bootstrap.json');
  const saved = existsSync(file) ? savedSecrets.safeParse(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
  const apiKey = fromSettings.apiKey ?? (saved?.success ? saved.data.apiKey : newSecret('cmp_'));
  const devAdminToken =
    fromSettings.devAdminToken ?? (saved?.success ? saved.data.devAdminToken : newSecret('dev_'));
  writeFileSync(file, `${JSON.stringify({ apiKey, devAdminToken }, null, 2)}\n`, { mode: 0o600 });
  return {
    apiKey,
    devAdminToken,
    generated: {
      apiKey: fromSettings.apiKey === undefined && !(saved?.success ?? false),
      devAdminToken: fromSettings.devAdminToken === undefined && !(saved?.success ?? false),
    },
  };
}

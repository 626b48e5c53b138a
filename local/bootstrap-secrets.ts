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
 * `<data folder>/bootstrap.json`, which are generated on first start (mode 0600) so a restart keeps them.
 */
export function loadBootstrapSecrets(
  dataDir: string,
  fromSettings: { apiKey: string | undefined; devAdminToken: string | undefined },
): BootstrapSecrets {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'bootstrap.json');
  const parsed = existsSync(file) ? savedSecrets.safeParse(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
  const saved = parsed?.success ? parsed.data : undefined;
  // The file keeps generated values only; values from settings win each time they are given and are not copied
  // to disk (they are validated later, with every other setting).
  const kept = saved ?? { apiKey: newSecret('cmp_'), devAdminToken: newSecret('dev_') };
  if (!saved) writeFileSync(file, `${JSON.stringify(kept, null, 2)}\n`, { mode: 0o600 });
  const apiKey = fromSettings.apiKey ?? kept.apiKey;
  const devAdminToken = fromSettings.devAdminToken ?? kept.devAdminToken;
  return {
    apiKey,
    devAdminToken,
    generated: {
      apiKey: fromSettings.apiKey === undefined && saved === undefined,
      devAdminToken: fromSettings.devAdminToken === undefined && saved === undefined,
    },
  };
}

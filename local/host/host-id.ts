import { createHash } from 'node:crypto';
import path from 'node:path';
import type { HostSettings } from './settings.js';

/**
 * The host id scopes blob receipts and timer status. Azure derives it from the site name; locally it
 * derives from the app folder so that a restart of the same app finds its receipts again.
 */
export function resolveHostId(appDir: string, settings: HostSettings): string {
  const configured = settings['AzureFunctionsWebHost__hostid']?.trim();
  if (configured) {
    return configured.toLowerCase();
  }
  const absolute = path.resolve(appDir);
  const name = path
    .basename(absolute)
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 15);
  const hash = createHash('sha256').update(absolute).digest('hex').slice(0, 16);
  return name ? `${name}-${hash}` : hash;
}

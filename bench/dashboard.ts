import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The dashboard's weight as a browser fetches it: what its page names (first load), and the chunks loaded later. */
export interface DashboardWeight {
  readonly firstLoad: { readonly file: string; readonly bytes: number; readonly gzipped: number }[];
  readonly later: { readonly file: string; readonly bytes: number; readonly gzipped: number }[];
  readonly scriptsGzipped: number;
  readonly budgetBytes: number;
  readonly ratioToBudget: number;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'admin');
const BUDGET_BYTES = 300 * 1024;

export function measureDashboardWeight(): DashboardWeight {
  const html = readFileSync(path.join(ROOT, 'index.html'), 'utf8');
  const named = new Set([...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((m) => m[1] as string));
  const measure = (file: string) => {
    const bytes = readFileSync(path.join(ROOT, file));
    return { file, bytes: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length };
  };
  const assets = readdirSync(path.join(ROOT, 'assets')).map((name) => `assets/${name}`);
  const firstLoad = [measure('index.html'), ...assets.filter((a) => named.has(a)).map(measure)];
  const later = assets.filter((a) => !named.has(a)).map(measure);
  const scriptsGzipped = [...firstLoad, ...later].filter((a) => a.file.endsWith('.js')).reduce((sum, a) => sum + a.gzipped, 0);
  return { firstLoad, later, scriptsGzipped, budgetBytes: BUDGET_BYTES, ratioToBudget: Math.round((scriptsGzipped / BUDGET_BYTES) * 100) / 100 };
}

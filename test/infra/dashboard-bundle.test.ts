import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

/** The dashboard Vite builds into dist/admin (`npm test` builds first): its JavaScript budget, and nothing from a CDN. */
const ROOT = path.resolve('dist', 'admin');
const BUDGET_BYTES = 300 * 1024;

describe('the dashboard build', () => {
  it('keeps all of its JavaScript under 300 KB gzipped', () => {
    expect(existsSync(path.join(ROOT, 'index.html'))).toBe(true);
    const scripts = readdirSync(path.join(ROOT, 'assets')).filter((name) => name.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    const gzipped = scripts.reduce((sum, name) => sum + gzipSync(readFileSync(path.join(ROOT, 'assets', name)), { level: 9 }).length, 0);
    expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it('loads everything from its own origin', () => {
    const html = readFileSync(path.join(ROOT, 'index.html'), 'utf8');
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) expect(reference, reference).toMatch(/^(\.\/|data:)/);
    for (const name of readdirSync(path.join(ROOT, 'assets'))) {
      const text = readFileSync(path.join(ROOT, 'assets', name), 'utf8');
      // No script or stylesheet is fetched from elsewhere (a CDN) at run time.
      expect(text, name).not.toMatch(/import\s*\(?\s*["']https?:\/\//);
      expect(text, name).not.toMatch(/@import\s+url\(\s*["']?https?:\/\//);
    }
  });
});

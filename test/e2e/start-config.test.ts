import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServiceProcess } from '../../local/service-process.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'companion-config-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm start with a bad setting', () => {
  it('stops before serving and names each malformed setting', async () => {
    const failure = startServiceProcess({
      COMPANION_DATA_DIR: dataDir,
      COMPANION_BOOTSTRAP_API_KEY: 'short',
      MANAGE_AUTH_ISSUER: 'not a url',
      MANAGE_AUTH_AUDIENCE: 'api://x',
    });
    await expect(failure).rejects.toThrow(/exited with 1 before it was ready/);
    const message = String(await failure.catch((err: unknown) => err));
    expect(message).toContain('COMPANION_BOOTSTRAP_API_KEY');
    expect(message).toContain('MANAGE_AUTH_ISSUER');
    expect(message).not.toContain('    at ');
  }, 60_000);
});

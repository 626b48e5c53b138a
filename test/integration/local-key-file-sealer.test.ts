import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalKeyFileSealer } from '../../shared/adapters/secrets/local-key-file-sealer.js';

const keyFileIn = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'sealer-')), 'nested', 'secret.key');

describe('local key file sealer', () => {
  it('creates a 32-byte key file readable by the owner only, and round-trips a secret', async () => {
    const keyFile = keyFileIn();
    const sealer = new LocalKeyFileSealer(keyFile);

    const sealed = await sealer.seal('customer-llm-key');

    expect(readFileSync(keyFile)).toHaveLength(32);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(sealed)).not.toContain('customer-llm-key');
    await expect(sealer.open(sealed)).resolves.toBe('customer-llm-key');
    // A new process with the same key file opens it too.
    await expect(new LocalKeyFileSealer(keyFile).open(sealed)).resolves.toBe('customer-llm-key');
  });

  it('uses a fresh data key per secret', async () => {
    const sealer = new LocalKeyFileSealer(keyFileIn());
    const [a, b] = [await sealer.seal('same'), await sealer.seal('same')];
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('refuses a tampered secret', async () => {
    const sealer = new LocalKeyFileSealer(keyFileIn());
    const sealed = await sealer.seal('value');
    const flipped = Buffer.from(sealed.ciphertext, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    await expect(sealer.open({ ...sealed, ciphertext: flipped.toString('base64url') })).rejects.toThrow();
  });

  it('refuses a secret sealed under another key', async () => {
    const sealed = await new LocalKeyFileSealer(keyFileIn()).seal('value');
    await expect(new LocalKeyFileSealer(keyFileIn()).open(sealed)).rejects.toThrow(/sealed under key/);
  });

  it('refuses a key file of the wrong size', async () => {
    const keyFile = keyFileIn();
    const sealer = new LocalKeyFileSealer(keyFile);
    await sealer.seal('create the folder');
    writeFileSync(keyFile, Buffer.alloc(16));
    await expect(new LocalKeyFileSealer(keyFile).seal('x')).rejects.toThrow(/exactly 32 bytes/);
  });
});

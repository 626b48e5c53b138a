import { mkdtempSync } from 'node:fs';
import { Agent } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KeyVaultSealer, type KeyVaultSealerOptions } from '../../shared/adapters/secrets/key-vault-sealer.js';
import { LocalKeyFileSealer } from '../../shared/adapters/secrets/local-key-file-sealer.js';
import { sealedSecretSchema, type SealedSecret } from '../../shared/domain/secret-sealer.js';
import { KEY_VAULT_RESOURCE, startFakeKeyVault, type FakeKeyVault } from '../fakes/key-vault.js';

const TOKEN = 'fake-key-vault-token';

/** Stands in for the managed identity: one fixed token, and the scopes it was asked for. */
class FixedTokenCredential implements TokenCredential {
  readonly scopes: string[][] = [];
  getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.scopes.push(Array.isArray(scopes) ? scopes : [scopes]);
    return Promise.resolve({ token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 });
  }
}

// The fake listens on 127.0.0.1, not on a *.vault.azure.net host, so the SDK's check of the challenge's resource
// against the vault's domain is turned off (a documented client option); its certificate is trusted by this client's
// own agent only; no retries keep failures quick.
let clientOptions: KeyVaultSealerOptions['clientOptions'];

const flip = (base64url: string): string => {
  const bytes = Buffer.from(base64url, 'base64url');
  bytes[0] = bytes[0]! ^ 1;
  return bytes.toString('base64url');
};

describe('Key Vault sealer (against the Key Vault fake)', () => {
  let vault: FakeKeyVault;
  let credential: FixedTokenCredential;
  let keyId: string;
  let keyName: string;
  let n = 0;

  beforeAll(async () => {
    vault = await startFakeKeyVault({ acceptedToken: TOKEN });
    clientOptions = {
      disableChallengeResourceVerification: true,
      retryOptions: { maxRetries: 0 },
      agent: new Agent({ ca: vault.certificate, keepAlive: true }),
    };
  });
  afterAll(async () => {
    await vault.close();
  });
  beforeEach(() => {
    credential = new FixedTokenCredential();
    keyName = `secrets-kek-${++n}`;
    vault.createKey(keyName);
    keyId = `${vault.vaultUrl}/keys/${keyName}`;
  });

  const sealer = (id = keyId, options: KeyVaultSealerOptions = {}) => new KeyVaultSealer(id, credential, { clientOptions, ...options });
  const callsFor = (name: string) => vault.calls.filter((c) => c.keyName === name);

  it('round-trips a secret: the data key is wrapped by the vault with RSA-OAEP-256 and the versioned key is recorded', async () => {
    const s = sealer();

    const sealed = await s.seal('customer-llm-key');

    expect(sealedSecretSchema.parse(sealed)).toEqual(sealed);
    expect(sealed).toMatchObject({ v: 2, alg: 'RSA-OAEP-256' });
    expect(sealed.kekId).toMatch(new RegExp(`^${vault.vaultUrl}/keys/${keyName}/[0-9a-f]{32}$`));
    expect(JSON.stringify(sealed)).not.toContain('customer-llm-key');
    await expect(s.open(sealed)).resolves.toBe('customer-llm-key');
    // Another instance (a new process) with the same setting opens it too.
    await expect(sealer().open(sealed)).resolves.toBe('customer-llm-key');

    const version = sealed.kekId.split('/').at(-1);
    const wraps = callsFor(keyName).filter((c) => c.operation === 'wrapkey' && c.authenticated);
    const unwraps = callsFor(keyName).filter((c) => c.operation === 'unwrapkey' && c.authenticated);
    expect(wraps).toEqual([expect.objectContaining({ method: 'POST', version, alg: 'RSA-OAEP-256', status: 200 })]);
    expect(unwraps).toHaveLength(2);
    for (const call of unwraps) expect(call).toMatchObject({ version, alg: 'RSA-OAEP-256', status: 200 });
  });

  it('authenticates through the vault’s bearer challenge with the identity’s token for the vault resource', async () => {
    await sealer().seal('value');

    const calls = callsFor(keyName);
    expect(calls[0]).toMatchObject({ status: 401, authenticated: false });
    expect(calls.slice(1).every((c) => c.authenticated)).toBe(true);
    expect(calls.every((c) => c.apiVersion !== null)).toBe(true);
    expect(credential.scopes.length).toBeGreaterThan(0);
    for (const scopes of credential.scopes) expect(scopes).toEqual([`${KEY_VAULT_RESOURCE}/.default`]);
  });

  it('uses a fresh data key per secret', async () => {
    const s = sealer();
    const [a, b] = [await s.seal('same'), await s.seal('same')];
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('refuses a tampered ciphertext, tag, wrapped key or key id', async () => {
    const s = sealer();
    const sealed = await s.seal('value');
    if (sealed.v !== 2) throw new Error('expected a v2 secret');

    await expect(s.open({ ...sealed, ciphertext: flip(sealed.ciphertext) })).rejects.toThrow();
    await expect(s.open({ ...sealed, tag: flip(sealed.tag) })).rejects.toThrow();
    await expect(s.open({ ...sealed, iv: flip(sealed.iv) })).rejects.toThrow();
    await expect(s.open({ ...sealed, wrappedKey: flip(sealed.wrappedKey) })).rejects.toThrow();
    // Another version of the same key cannot unwrap it.
    const other = vault.rotateKey(keyName);
    await expect(s.open({ ...sealed, kekId: other })).rejects.toThrow();
  });

  it('opens only secrets sealed under the configured key', async () => {
    const sealed = await sealer().seal('value');
    const otherName = `${keyName}-other`;
    vault.createKey(otherName);

    await expect(sealer(`${vault.vaultUrl}/keys/${otherName}`).open(sealed)).rejects.toThrow(/sealed under key .* but this instance holds Key Vault key/);
    await expect(sealer(`https://other.vault.azure.net/keys/${keyName}`).open(sealed)).rejects.toThrow(/sealed under key/);
  });

  it('refuses a v1 secret of the local key file with a clear error, and the local sealer refuses a v2 secret', async () => {
    const local = new LocalKeyFileSealer(path.join(mkdtempSync(path.join(os.tmpdir(), 'kv-sealer-')), 'secret.key'));
    const v1 = await local.seal('local value');
    const v2 = await sealer().seal('vault value');

    await expect(sealer().open(v1)).rejects.toThrow(/sealed with a local key file \(format v1.*only Key Vault key/);
    await expect(local.open(v2)).rejects.toThrow(/sealed under Key Vault key .*format v2.*only a local key file/);
    await expect(local.open(v1)).resolves.toBe('local value');
  });

  it('after the key rotates, secrets sealed under the old version still open and new ones use the new version', async () => {
    const s = sealer(keyId, { currentVersionMaxAgeMs: 0 });
    const before = await s.seal('sealed before rotation');
    const newKid = vault.rotateKey(keyName);

    const after = await s.seal('sealed after rotation');

    expect(after.kekId).toBe(newKid);
    expect(before.kekId).not.toBe(after.kekId);
    await expect(s.open(before)).resolves.toBe('sealed before rotation');
    await expect(sealer().open(before)).resolves.toBe('sealed before rotation');
    await expect(sealer().open(after)).resolves.toBe('sealed after rotation');
    const unwrapVersions = callsFor(keyName)
      .filter((c) => c.operation === 'unwrapkey' && c.status === 200)
      .map((c) => c.version);
    expect(unwrapVersions).toContain(before.kekId.split('/').at(-1));
    expect(unwrapVersions).toContain(newKid.split('/').at(-1));
  });

  it('keeps wrapping with the version it found until that is older than the configured age', async () => {
    let now = 1_000_000;
    const s = sealer(keyId, { currentVersionMaxAgeMs: 60_000, now: () => now });
    const first = await s.seal('a');
    const rotated = vault.rotateKey(keyName);

    expect((await s.seal('b')).kekId).toBe(first.kekId);
    now += 60_000;
    expect((await s.seal('c')).kekId).toBe(rotated);
  });

  it('with a versioned key id, wraps with that version even when another is current', async () => {
    const pinned = vault.rotateKey(keyName);
    vault.rotateKey(keyName);

    const sealed = await sealer(pinned).seal('value');

    expect(sealed.kekId).toBe(pinned);
    await expect(sealer().open(sealed)).resolves.toBe('value');
  });

  it('fails the seal when the vault refuses the token, without returning a secret', async () => {
    const wrongToken: TokenCredential = { getToken: () => Promise.resolve({ token: 'not-the-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const s = new KeyVaultSealer(keyId, wrongToken, { clientOptions });
    await expect(s.seal('value')).rejects.toThrow();
  });

  it('rejects a key id that is not a Key Vault key id', () => {
    expect(() => new KeyVaultSealer(`${vault.vaultUrl}/secrets/x`, credential, { clientOptions })).toThrow(/keys/);
    expect(() => new KeyVaultSealer(`${vault.vaultUrl}/keys`, credential, { clientOptions })).toThrow();
  });

  it('keeps the sealed format readable by the schema used for stored documents', async () => {
    const sealed: SealedSecret = await sealer().seal('value');
    expect(() => sealedSecretSchema.parse({ ...sealed, wrapIv: 'x' })).toThrow();
    expect(() => sealedSecretSchema.parse({ ...sealed, alg: 'RSA1_5' })).toThrow();
  });
});

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import { KeyClient, type CryptographyClient, type KeyClientOptions } from '@azure/keyvault-keys';
import type { SealedSecret, SealedSecretV2, SecretSealer } from '../../domain/secret-sealer.js';

const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;
const WRAP_ALGORITHM = 'RSA-OAEP-256';
/** How long a versionless key id keeps resolving to the version it found; after that a rotation is picked up. */
const DEFAULT_CURRENT_VERSION_MAX_AGE_MS = 10 * 60 * 1000;

export interface KeyVaultSealerOptions {
  /** Passed to the Key Vault client (tests: an HTTPS agent that trusts a local certificate, no challenge-resource check). */
  readonly clientOptions?: KeyClientOptions;
  /** How long the current version of a versionless key is reused before it is looked up again. */
  readonly currentVersionMaxAgeMs?: number;
  readonly now?: () => number;
}

interface KeyReference {
  readonly vaultUrl: string;
  readonly name: string;
  readonly version: string | undefined;
}

/** `https://<vault>/keys/<name>[/<version>]`, the form Key Vault and Managed HSM give key ids. */
function parseKeyId(keyId: string): KeyReference {
  let url: URL;
  try {
    url = new URL(keyId);
  } catch {
    throw new Error(`${keyId} is not a Key Vault key id (https://<vault>.vault.azure.net/keys/<name>[/<version>])`);
  }
  const segments = url.pathname.replace(/\/$/, '').split('/').slice(1);
  const [collection, name, version] = segments;
  if (url.protocol !== 'https:' || collection !== 'keys' || name === undefined || name === '' || segments.length > 3 || url.search !== '') {
    throw new Error(`${keyId} is not a Key Vault key id (https://<vault>.vault.azure.net/keys/<name>[/<version>])`);
  }
  return { vaultUrl: url.origin.toLowerCase(), name, version: version === undefined || version === '' ? undefined : version };
}

function dataAad(kekId: string): Buffer {
  return Buffer.from(`v2:${kekId}`, 'utf8');
}

/**
 * Envelope encryption with a Key Vault key: each secret gets its own AES-256-GCM data key, which the vault's RSA key
 * wraps (RSA-OAEP-256) and unwraps; the private key never leaves the vault. The configured key id may name a version
 * or not: without one, the current version is used and recorded in `kekId`, so secrets sealed before a rotation still
 * open with the version that wrapped them. Only secrets sealed under (any version of) the configured key are opened.
 */
export class KeyVaultSealer implements SecretSealer {
  private readonly key: KeyReference;
  private readonly keyClient: KeyClient;
  private readonly cryptoClients = new Map<string, CryptographyClient>();
  private readonly currentVersionMaxAgeMs: number;
  private readonly now: () => number;
  private current: { promise: Promise<string>; resolvedAt: number } | undefined;

  constructor(keyId: string, credential: TokenCredential, options: KeyVaultSealerOptions = {}) {
    this.key = parseKeyId(keyId);
    this.keyClient = new KeyClient(this.key.vaultUrl, credential, options.clientOptions);
    this.currentVersionMaxAgeMs = options.currentVersionMaxAgeMs ?? DEFAULT_CURRENT_VERSION_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  /** The configured key's id, for start-up logs and errors. */
  get keyId(): string {
    return this.kekIdOf(this.key.version ?? '').replace(/\/$/, '');
  }

  async seal(plaintext: string): Promise<SealedSecret> {
    const version = await this.versionToWrapWith();
    const kekId = this.kekIdOf(version);
    const dataKey = randomBytes(DATA_KEY_BYTES);
    try {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
      cipher.setAAD(dataAad(kekId));
      const ciphertext = Buffer.concat([cipher.update(Buffer.from(plaintext, 'utf8')), cipher.final()]);
      const wrapped = await this.cryptoClient(version).wrapKey(WRAP_ALGORITHM, dataKey);
      return {
        v: 2,
        kekId,
        alg: WRAP_ALGORITHM,
        wrappedKey: Buffer.from(wrapped.result).toString('base64url'),
        iv: iv.toString('base64url'),
        tag: cipher.getAuthTag().toString('base64url'),
        ciphertext: ciphertext.toString('base64url'),
      };
    } finally {
      dataKey.fill(0);
    }
  }

  async open(sealed: SealedSecret): Promise<string> {
    if (sealed.v !== 2) {
      throw new Error(
        `secret was sealed with a local key file (format v${sealed.v}, key ${sealed.kekId}); this instance holds only Key Vault key ${this.keyId}`,
      );
    }
    const version = this.versionOf(sealed);
    const unwrapped = await this.cryptoClient(version).unwrapKey(sealed.alg, Buffer.from(sealed.wrappedKey, 'base64url'));
    const dataKey = Buffer.from(unwrapped.result);
    try {
      if (dataKey.length !== DATA_KEY_BYTES) throw new Error(`the data key of the secret sealed under ${sealed.kekId} is not ${DATA_KEY_BYTES} bytes`);
      const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(sealed.iv, 'base64url'));
      decipher.setAAD(dataAad(sealed.kekId));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } finally {
      dataKey.fill(0);
    }
  }

  /** The version named by a sealed secret's kekId, which must be a version of the configured key. */
  private versionOf(sealed: SealedSecretV2): string {
    let sealedUnder: KeyReference;
    try {
      sealedUnder = parseKeyId(sealed.kekId);
    } catch {
      throw new Error(`secret was sealed under ${sealed.kekId}, which is not a Key Vault key id; this instance holds Key Vault key ${this.keyId}`);
    }
    if (sealedUnder.vaultUrl !== this.key.vaultUrl || sealedUnder.name.toLowerCase() !== this.key.name.toLowerCase()) {
      throw new Error(`secret was sealed under key ${sealed.kekId}, but this instance holds Key Vault key ${this.keyId}`);
    }
    if (sealedUnder.version === undefined) throw new Error(`secret was sealed under ${sealed.kekId}, which names no key version`);
    return sealedUnder.version;
  }

  private kekIdOf(version: string): string {
    return `${this.key.vaultUrl}/keys/${this.key.name}/${version}`;
  }

  private cryptoClient(version: string): CryptographyClient {
    let client = this.cryptoClients.get(version);
    if (client === undefined) {
      // Shares the key client's pipeline (one token cache, one connection pool) and caches the key's properties.
      client = this.keyClient.getCryptographyClient(this.key.name, { keyVersion: version });
      this.cryptoClients.set(version, client);
    }
    return client;
  }

  private versionToWrapWith(): Promise<string> {
    if (this.key.version !== undefined) return Promise.resolve(this.key.version);
    const now = this.now();
    if (this.current === undefined || now - this.current.resolvedAt >= this.currentVersionMaxAgeMs) {
      const promise = this.keyClient.getKey(this.key.name).then((key) => {
        const version = key.properties.version;
        if (version === undefined || version === '') throw new Error(`Key Vault returned key ${this.keyId} without a version`);
        return version;
      });
      const entry = { promise, resolvedAt: now };
      // A failed lookup is not kept: the next seal asks again.
      promise.catch(() => {
        if (this.current === entry) this.current = undefined;
      });
      this.current = entry;
    }
    return this.current.promise;
  }
}

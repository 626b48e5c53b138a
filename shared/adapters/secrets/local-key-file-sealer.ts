import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SealedSecret, SecretSealer } from '../../domain/secret-sealer.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;

function encrypt(key: Buffer, plaintext: Buffer): { iv: string; tag: string; ciphertext: string } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv: iv.toString('base64url'), tag: cipher.getAuthTag().toString('base64url'), ciphertext: ciphertext.toString('base64url') };
}

function decrypt(key: Buffer, iv: string, tag: string, ciphertext: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
}

/**
 * Envelope encryption with a key-encryption key kept in a local file (created on first use, mode 0600). Each secret
 * gets its own AES-256-GCM data key, which the file's key wraps (also AES-256-GCM). Locally this stands in for Key
 * Vault; the key id is a fingerprint of the key, so a secret sealed under another key fails clearly.
 */
export class LocalKeyFileSealer implements SecretSealer {
  private kek: Promise<{ key: Buffer; id: string }> | undefined;

  constructor(private readonly keyFile: string) {}

  async seal(plaintext: string): Promise<SealedSecret> {
    const kek = await this.keyEncryptionKey();
    const dataKey = randomBytes(KEY_BYTES);
    try {
      const data = encrypt(dataKey, Buffer.from(plaintext, 'utf8'));
      const wrapped = encrypt(kek.key, dataKey);
      return {
        v: 1,
        kekId: kek.id,
        wrappedKey: wrapped.ciphertext,
        wrapIv: wrapped.iv,
        wrapTag: wrapped.tag,
        iv: data.iv,
        tag: data.tag,
        ciphertext: data.ciphertext,
      };
    } finally {
      dataKey.fill(0);
    }
  }

  async open(sealed: SealedSecret): Promise<string> {
    if (sealed.v !== 1) {
      throw new Error(`secret was sealed under Key Vault key ${sealed.kekId} (format v${sealed.v}); this instance holds only a local key file`);
    }
    const kek = await this.keyEncryptionKey();
    if (sealed.kekId !== kek.id) {
      throw new Error(`secret was sealed under key ${sealed.kekId}, but this instance holds key ${kek.id}`);
    }
    const dataKey = decrypt(kek.key, sealed.wrapIv, sealed.wrapTag, sealed.wrappedKey);
    try {
      return decrypt(dataKey, sealed.iv, sealed.tag, sealed.ciphertext).toString('utf8');
    } finally {
      dataKey.fill(0);
    }
  }

  private keyEncryptionKey(): Promise<{ key: Buffer; id: string }> {
    this.kek ??= this.loadOrCreateKey().catch((err: unknown) => {
      this.kek = undefined;
      throw err;
    });
    return this.kek;
  }

  private async loadOrCreateKey(): Promise<{ key: Buffer; id: string }> {
    let key: Buffer;
    try {
      key = await readFile(this.keyFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(path.dirname(this.keyFile), { recursive: true });
      const fresh = randomBytes(KEY_BYTES);
      try {
        // 'wx' never overwrites: if another process created the file first, its key is the one to use.
        await writeFile(this.keyFile, fresh, { mode: 0o600, flag: 'wx' });
        await chmod(this.keyFile, 0o600);
        key = fresh;
      } catch (writeErr) {
        if ((writeErr as NodeJS.ErrnoException).code !== 'EEXIST') throw writeErr;
        key = await readFile(this.keyFile);
      }
    }
    if (key.length !== KEY_BYTES) {
      throw new Error(`secret key file ${this.keyFile} must hold exactly ${KEY_BYTES} bytes`);
    }
    const id = `file:${createHash('sha256').update(key).digest('base64url').slice(0, 16)}`;
    return { key, id };
  }
}

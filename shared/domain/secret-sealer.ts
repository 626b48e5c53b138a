import { z } from 'zod';

/**
 * A secret encrypted at rest with envelope encryption: a fresh AES-256-GCM data key encrypts the plaintext, and a
 * key-encryption key wraps the data key. All binary fields are base64url. The version says how the data key is
 * wrapped, and so which sealer can open it:
 * - v1: wrapped with AES-256-GCM by a local key file's key (`wrapIv`, `wrapTag`); `kekId` is the key's fingerprint.
 * - v2: wrapped with RSA-OAEP-256 by a Key Vault key; `kekId` is the key's full id with its version, so a secret
 *   still opens after the key rotates. The data is encrypted with `v2:<kekId>` as associated data.
 */
export const sealedSecretV1Schema = z.strictObject({
  v: z.literal(1),
  /** Identifies the key-encryption key, so that keys can be rotated and old secrets still opened. */
  kekId: z.string().min(1).max(200),
  wrappedKey: z.string().min(1),
  wrapIv: z.string().min(1),
  wrapTag: z.string().min(1),
  iv: z.string().min(1),
  tag: z.string().min(1),
  ciphertext: z.string(),
});

export const sealedSecretV2Schema = z.strictObject({
  v: z.literal(2),
  /** The Key Vault key id with its version, e.g. `https://<vault>.vault.azure.net/keys/<name>/<version>`. */
  kekId: z.string().min(1).max(400),
  alg: z.literal('RSA-OAEP-256'),
  wrappedKey: z.string().min(1),
  iv: z.string().min(1),
  tag: z.string().min(1),
  ciphertext: z.string(),
});

export const sealedSecretSchema = z.discriminatedUnion('v', [sealedSecretV1Schema, sealedSecretV2Schema]);
export type SealedSecret = z.infer<typeof sealedSecretSchema>;
export type SealedSecretV1 = z.infer<typeof sealedSecretV1Schema>;
export type SealedSecretV2 = z.infer<typeof sealedSecretV2Schema>;

export interface SecretSealer {
  seal(plaintext: string): Promise<SealedSecret>;
  /** Rejects when the secret was tampered with or sealed under a key this sealer does not hold. */
  open(sealed: SealedSecret): Promise<string>;
}

import { z } from 'zod';

/**
 * A secret encrypted at rest with envelope encryption: a fresh AES-256-GCM data key encrypts the plaintext, and a
 * key-encryption key (a local key file here, Key Vault in Azure) wraps the data key. All binary fields are base64url.
 */
export const sealedSecretSchema = z.strictObject({
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
export type SealedSecret = z.infer<typeof sealedSecretSchema>;

export interface SecretSealer {
  seal(plaintext: string): Promise<SealedSecret>;
  /** Rejects when the secret was tampered with or sealed under a key this sealer does not hold. */
  open(sealed: SealedSecret): Promise<string>;
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { StoredLlmConfig } from './llm-config.js';

export const apiKeyNameSchema = z.string().trim().min(1).max(100);

/** Recognisable in logs, secret scanners and support tickets; the rest is 240 random bits. */
export const API_KEY_SECRET_PREFIX = 'cmp_';

/** Secrets accepted on `X-Api-Key`: generated ones, and the 20-200 URL-safe characters a local bootstrap may fix. */
const ACCEPTABLE_SECRET = /^[A-Za-z0-9_-]{20,200}$/;

export interface ApiKey {
  readonly id: string;
  readonly projectId: string;
  readonly orgId: string;
  readonly name: string;
  /** The first characters of the secret, shown so that people can tell keys apart. */
  readonly prefix: string;
  readonly last4: string;
  /** Hex SHA-256 of the secret; the secret itself is never stored. */
  readonly secretHash: string;
  readonly llm: StoredLlmConfig;
  readonly createdAt: string;
  readonly lastUsedAt: string | undefined;
  readonly etag: string;
}

export type NewApiKey = Omit<ApiKey, 'etag' | 'lastUsedAt'>;

/**
 * What authenticating a key needs, stored under the secret's hash so that one point read resolves a request.
 * Deleting it is what revokes the key.
 */
export interface ApiKeyLookup {
  readonly secretHash: string;
  readonly keyId: string;
  readonly projectId: string;
  readonly orgId: string;
  readonly hosting: StoredLlmConfig['hosting'];
  readonly status: 'active';
}

export function generateApiKeySecret(): string {
  return API_KEY_SECRET_PREFIX + randomBytes(30).toString('base64url');
}

export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function isAcceptableApiKeySecret(secret: string): boolean {
  return ACCEPTABLE_SECRET.test(secret);
}

/** Compares two hex hashes in constant time (length differences are not secret). */
export function secretHashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** `cmp_` plus 4 characters for generated secrets, 4 characters otherwise: enough to tell keys apart, too few to matter. */
export function displayPrefixOf(secret: string): string {
  return secret.startsWith(API_KEY_SECRET_PREFIX)
    ? secret.slice(0, API_KEY_SECRET_PREFIX.length + 4)
    : secret.slice(0, 4);
}

export function last4Of(secret: string): string {
  return secret.slice(-4);
}

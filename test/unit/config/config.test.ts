import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../shared/config.js';

const minimal = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', COSMOS_ENDPOINT: 'https://localhost:8081/' };
const KEY_ID = 'https://companionkv.vault.azure.net/keys/secrets-kek';

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration', () => {
  it('reads a minimal local configuration with defaults', () => {
    const config = parseConfig(minimal);
    expect(config).toMatchObject({ maxBodyBytes: 1_048_576, port: 7071, manageAuth: undefined, storage: { kind: 'connectionString' } });
  });

  it('names each missing required setting', () => {
    const problems = problemsOf({});
    expect(problems.some((p) => p.startsWith('AzureWebJobsStorage:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('COSMOS_ENDPOINT:'))).toBe(true);
  });

  it.each([
    ['COSMOS_ENDPOINT', 'not a url'],
    ['COMPANION_MAX_BODY_BYTES', '12abc'],
    ['PORT', '70000'],
    ['COMPANION_DEV_ADMIN_TOKEN', 'short'],
    ['COMPANION_BOOTSTRAP_API_KEY', 'has spaces in it and is long enough'],
  ])('names %s when it is malformed', (name, value) => {
    const problems = problemsOf({ ...minimal, [name]: value });
    expect(problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
  });

  it('requires MANAGE_AUTH_ISSUER and MANAGE_AUTH_AUDIENCE together', () => {
    expect(problemsOf({ ...minimal, MANAGE_AUTH_ISSUER: 'https://login.example.com/t/v2.0' })).toEqual([
      expect.stringMatching(/^MANAGE_AUTH_AUDIENCE:/),
    ]);
  });

  it('refuses local-only settings when running in Azure', () => {
    const problems = problemsOf({
      ...minimal,
      WEBSITE_SITE_NAME: 'app',
      SESSION_TOKEN_SECRET: 's'.repeat(32),
      KEY_VAULT_KEY_ID: KEY_ID,
      COMPANION_DEV_ADMIN_TOKEN: 'x'.repeat(32),
    });
    expect(problems).toEqual([expect.stringMatching(/^COMPANION_DEV_ADMIN_TOKEN:/)]);
  });

  it('requires a session token secret of at least 32 characters in Azure, and only checks its length locally', () => {
    expect(problemsOf({ ...minimal, WEBSITE_SITE_NAME: 'app', KEY_VAULT_KEY_ID: KEY_ID })).toEqual([expect.stringMatching(/^SESSION_TOKEN_SECRET: is required/)]);
    expect(problemsOf({ ...minimal, SESSION_TOKEN_SECRET: 'short' })).toEqual([expect.stringMatching(/^SESSION_TOKEN_SECRET: must have at least 32/)]);
    expect(problemsOf(minimal)).toEqual([]);
  });

  it('refuses to start in Azure without KEY_VAULT_KEY_ID, since the local key file differs per instance', () => {
    expect(problemsOf({ ...minimal, WEBSITE_SITE_NAME: 'app', SESSION_TOKEN_SECRET: 's'.repeat(32) })).toEqual([
      expect.stringMatching(/^KEY_VAULT_KEY_ID: is required when running in Azure/),
    ]);
    expect(() => parseConfig({ ...minimal, WEBSITE_SITE_NAME: 'app', SESSION_TOKEN_SECRET: 's'.repeat(32) })).toThrow(ConfigError);
    expect(parseConfig({ ...minimal, WEBSITE_SITE_NAME: 'app', SESSION_TOKEN_SECRET: 's'.repeat(32), KEY_VAULT_KEY_ID: KEY_ID }).keyVaultKeyId).toBe(KEY_ID);
  });

  it('seals with the local key file locally unless KEY_VAULT_KEY_ID is set, versionless or pinned', () => {
    expect(parseConfig(minimal)).toMatchObject({ keyVaultKeyId: undefined, secretKeyFile: '.data/secret.key' });
    expect(parseConfig({ ...minimal, KEY_VAULT_KEY_ID: `${KEY_ID}/` }).keyVaultKeyId).toBe(KEY_ID);
    const pinned = `${KEY_ID}/0123456789abcdef0123456789abcdef`;
    expect(parseConfig({ ...minimal, KEY_VAULT_KEY_ID: pinned }).keyVaultKeyId).toBe(pinned);
  });

  it.each([
    'http://companionkv.vault.azure.net/keys/secrets-kek',
    'https://companionkv.vault.azure.net/secrets/secrets-kek',
    'https://companionkv.vault.azure.net/keys/',
    'https://companionkv.vault.azure.net/keys/a/b/c',
    'not a url',
  ])('refuses KEY_VAULT_KEY_ID %s', (value) => {
    expect(problemsOf({ ...minimal, KEY_VAULT_KEY_ID: value })).toEqual([expect.stringMatching(/^KEY_VAULT_KEY_ID: must be a Key Vault key id/)]);
  });
});

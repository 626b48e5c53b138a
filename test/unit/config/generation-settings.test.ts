import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../shared/config.js';

const minimal = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', COSMOS_ENDPOINT: 'https://localhost:8081/' };
const SECRET = 'a-callback-secret-of-at-least-32-chars';

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('avatar engine and speech settings', () => {
  it('use the local engines when none is set', () => {
    expect(parseConfig(minimal)).toMatchObject({ avatarEngine: undefined, speech: undefined, publicBaseUrl: undefined });
  });

  it('take the remote avatar engine with its secret and the public address callbacks are built from', () => {
    const config = parseConfig({
      ...minimal,
      AVATAR_ENGINE_URL: 'https://render.example.com/jobs',
      AVATAR_ENGINE_CALLBACK_SECRET: SECRET,
      COMPANION_PUBLIC_BASE_URL: 'https://api.example.com',
    });
    expect(config.avatarEngine).toEqual({ url: 'https://render.example.com/jobs', callbackSecret: SECRET, publicBaseUrl: 'https://api.example.com' });
  });

  it('require the engine URL and its secret together, and the public address with them', () => {
    expect(problemsOf({ ...minimal, AVATAR_ENGINE_URL: 'https://render.example.com/jobs', COMPANION_PUBLIC_BASE_URL: 'https://a.example.com' })).toEqual([
      expect.stringMatching(/^AVATAR_ENGINE_CALLBACK_SECRET:/),
    ]);
    expect(problemsOf({ ...minimal, AVATAR_ENGINE_CALLBACK_SECRET: SECRET })).toEqual([expect.stringMatching(/^AVATAR_ENGINE_URL:/)]);
    expect(problemsOf({ ...minimal, AVATAR_ENGINE_URL: 'https://render.example.com/jobs', AVATAR_ENGINE_CALLBACK_SECRET: SECRET })).toEqual([
      expect.stringMatching(/^COMPANION_PUBLIC_BASE_URL:/),
    ]);
  });

  it('refuse a short secret, and plain http addresses in Azure', () => {
    expect(problemsOf({ ...minimal, AVATAR_ENGINE_CALLBACK_SECRET: 'short' })).toContainEqual(expect.stringMatching(/^AVATAR_ENGINE_CALLBACK_SECRET: must be at least 32/));
    const problems = problemsOf({
      ...minimal,
      WEBSITE_SITE_NAME: 'app',
      SESSION_TOKEN_SECRET: SECRET,
      KEY_VAULT_KEY_ID: 'https://companionkv.vault.azure.net/keys/secrets-kek',
      AVATAR_ENGINE_URL: 'http://render.internal/jobs',
      AVATAR_ENGINE_CALLBACK_SECRET: SECRET,
      COMPANION_PUBLIC_BASE_URL: 'http://api.example.com',
    });
    expect(problems).toEqual([expect.stringMatching(/^AVATAR_ENGINE_URL: must be an https/), expect.stringMatching(/^COMPANION_PUBLIC_BASE_URL: must be an https/)]);
  });

  it('take Azure AI Speech with a key or the managed identity, with en-US consent by default', () => {
    expect(parseConfig({ ...minimal, SPEECH_ENDPOINT: 'https://voice.cognitiveservices.azure.com', SPEECH_KEY: 'k' }).speech).toEqual({
      endpoint: 'https://voice.cognitiveservices.azure.com',
      key: 'k',
      consentLocale: 'en-US',
    });
    expect(parseConfig({ ...minimal, SPEECH_ENDPOINT: 'https://voice.cognitiveservices.azure.com', SPEECH_CONSENT_LOCALE: 'de-DE' }).speech).toMatchObject({
      key: undefined,
      consentLocale: 'de-DE',
    });
    expect(problemsOf({ ...minimal, SPEECH_KEY: 'k' })).toEqual([expect.stringMatching(/^SPEECH_ENDPOINT:/)]);
    expect(problemsOf({ ...minimal, SPEECH_ENDPOINT: 'https://v.example.com', SPEECH_CONSENT_LOCALE: 'english' })).toEqual([
      expect.stringMatching(/^SPEECH_CONSENT_LOCALE:/),
    ]);
  });
});

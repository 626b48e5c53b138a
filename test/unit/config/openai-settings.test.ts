import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_AZURE_OPENAI_API_VERSION, parseConfig } from '../../../shared/config.js';

const minimal = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', COSMOS_ENDPOINT: 'https://localhost:8081/' };

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('Azure OpenAI and knowledge index settings', () => {
  it('mean no platform LLM and the embedded knowledge index when none is set', () => {
    expect(parseConfig(minimal)).toMatchObject({ openai: undefined, knowledgeIndex: 'embedded' });
  });

  it('take the endpoint, key and deployments, with the GA API version by default and the managed identity without a key', () => {
    const config = parseConfig({
      ...minimal,
      AZURE_OPENAI_ENDPOINT: 'https://acme.openai.azure.com',
      AZURE_OPENAI_API_KEY: 'secret',
      AZURE_OPENAI_CHAT_DEPLOYMENT: 'gpt-4o',
      AZURE_OPENAI_EMBEDDING_DEPLOYMENT: 'text-embedding-3-small',
      AZURE_OPENAI_EMBEDDING_DIMENSIONS: '512',
      AZURE_OPENAI_REALTIME_DEPLOYMENT: 'gpt-4o-realtime',
      AZURE_OPENAI_VISION_DEPLOYMENT: 'gpt-4o-vision',
      KNOWLEDGE_INDEX: 'cosmos',
    });
    expect(config.openai).toEqual({
      endpoint: 'https://acme.openai.azure.com',
      apiKey: 'secret',
      apiVersion: DEFAULT_AZURE_OPENAI_API_VERSION,
      chatDeployment: 'gpt-4o',
      embeddingDeployment: 'text-embedding-3-small',
      embeddingDimensions: 512,
      realtimeDeployment: 'gpt-4o-realtime',
      visionDeployment: 'gpt-4o-vision',
    });
    expect(config.knowledgeIndex).toBe('cosmos');
    const identity = parseConfig({ ...minimal, AZURE_OPENAI_ENDPOINT: 'https://acme.openai.azure.com', AZURE_OPENAI_API_VERSION: '2025-04-01-preview' });
    expect(identity.openai).toMatchObject({ apiKey: undefined, apiVersion: '2025-04-01-preview', embeddingDeployment: undefined });
  });

  it('need the endpoint for any deployment or key, and the embedding deployment for dimensions', () => {
    expect(problemsOf({ ...minimal, AZURE_OPENAI_EMBEDDING_DEPLOYMENT: 'emb' })).toEqual([
      'AZURE_OPENAI_ENDPOINT: is required when AZURE_OPENAI_EMBEDDING_DEPLOYMENT is set',
    ]);
    expect(problemsOf({ ...minimal, AZURE_OPENAI_ENDPOINT: 'https://a.openai.azure.com', AZURE_OPENAI_EMBEDDING_DIMENSIONS: '256' })).toEqual([
      'AZURE_OPENAI_EMBEDDING_DEPLOYMENT: is required when AZURE_OPENAI_EMBEDDING_DIMENSIONS is set',
    ]);
  });

  it('refuse malformed values', () => {
    const problems = problemsOf({
      ...minimal,
      AZURE_OPENAI_ENDPOINT: 'https://a.openai.azure.com',
      AZURE_OPENAI_API_VERSION: 'latest',
      AZURE_OPENAI_CHAT_DEPLOYMENT: 'has spaces',
      AZURE_OPENAI_EMBEDDING_DEPLOYMENT: 'emb',
      AZURE_OPENAI_EMBEDDING_DIMENSIONS: '5000',
      KNOWLEDGE_INDEX: 'search',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'AZURE_OPENAI_API_VERSION',
      'AZURE_OPENAI_CHAT_DEPLOYMENT',
      'AZURE_OPENAI_EMBEDDING_DIMENSIONS',
      'KNOWLEDGE_INDEX',
    ]);
  });

  it('accept plain http only to loopback with the local-only private URL setting', () => {
    expect(problemsOf({ ...minimal, AZURE_OPENAI_ENDPOINT: 'http://127.0.0.1:4444' })).toEqual([
      expect.stringMatching(/^AZURE_OPENAI_ENDPOINT: must be an https:\/\/ URL/),
    ]);
    expect(problemsOf({ ...minimal, COMPANION_ALLOW_PRIVATE_URLS: '1', AZURE_OPENAI_ENDPOINT: 'http://openai.internal' })).toEqual([
      expect.stringMatching(/^AZURE_OPENAI_ENDPOINT: must be an https:\/\/ URL/),
    ]);
    expect(parseConfig({ ...minimal, COMPANION_ALLOW_PRIVATE_URLS: '1', AZURE_OPENAI_ENDPOINT: 'http://127.0.0.1:4444' }).openai?.endpoint).toBe(
      'http://127.0.0.1:4444',
    );
  });
});

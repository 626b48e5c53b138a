import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAzureOpenAIClient, type AzureOpenAIConnection } from '../../../shared/adapters/openai/azure-openai-client.js';
import { createAzureOpenAIEmbeddingClient } from '../../../shared/adapters/openai/azure-openai-embedding-client.js';
import { EmbeddingFailedError } from '../../../shared/domain/knowledge/embedding-failure.js';
import { fakeEmbedding, startFakeAzureOpenAI, type FakeAzureOpenAI } from '../../fakes/azure-openai.js';

const DEPLOYMENT = 'text-embedding-3-small';
const noCredential = () => {
  throw new Error('the managed identity is not used in these tests');
};

describe('the Azure OpenAI embedding client, against the Azure OpenAI fake', () => {
  let fake: FakeAzureOpenAI;
  let connection: AzureOpenAIConnection;

  const embeddings = (options: { batchSize?: number; maxBatchChars?: number; maxAttempts?: number; baseDelayMs?: number } = {}) =>
    createAzureOpenAIEmbeddingClient({
      client: () => createAzureOpenAIClient(connection, { tokenCredential: noCredential, allowPrivateUrls: true }),
      deployment: DEPLOYMENT,
      dimensions: fake.embeddingDimensions,
      batchSize: options.batchSize ?? 16,
      maxBatchChars: options.maxBatchChars,
      retry: { maxAttempts: options.maxAttempts ?? 5, baseDelayMs: options.baseDelayMs ?? 10 },
    });

  beforeAll(async () => {
    fake = await startFakeAzureOpenAI();
    connection = { endpoint: fake.endpoint, apiVersion: '2024-10-21', credential: { kind: 'apiKey', apiKey: fake.apiKey } };
  });
  beforeEach(() => fake.reset());
  afterAll(async () => {
    await fake.close();
  });

  it('embeds in batches of the batch size and of the character budget, keeping the input order', async () => {
    const texts = Array.from({ length: 37 }, (_, i) => `passage number ${i} about refunds`);
    const vectors = await embeddings({ batchSize: 16 }).embed(texts);
    expect(vectors).toHaveLength(37);
    vectors.forEach((vector, i) => {
      const expected = fakeEmbedding(texts[i] ?? '', fake.embeddingDimensions);
      expect(vector[0]).toBeCloseTo(expected[0] ?? Number.NaN, 5);
      expect(vector.length).toBe(fake.embeddingDimensions);
    });
    const sizes = fake.requests().map((r) => (r.body['input'] as string[]).length);
    expect(sizes).toEqual([16, 16, 5]);
    expect(fake.requests()[0]).toMatchObject({ deployment: DEPLOYMENT, operation: 'embeddings', apiVersion: '2024-10-21', auth: 'api-key' });
    expect(fake.requests()[0]?.body['dimensions']).toBe(fake.embeddingDimensions);

    fake.reset();
    await embeddings({ batchSize: 16, maxBatchChars: 100 }).embed(['a'.repeat(60), 'b'.repeat(30), 'c'.repeat(30), 'd'.repeat(200)]);
    expect(fake.requests().map((r) => (r.body['input'] as string[]).length)).toEqual([2, 1, 1]);
  });

  it('when the deployment answers 429 with Retry-After, waits at least that long and succeeds on the retry', async () => {
    fake.failNext(1, { status: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    const [vector] = await embeddings().embed(['retry me']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(vector).toHaveLength(fake.embeddingDimensions);
    expect(fake.requests()).toHaveLength(2);
  });

  it('retries a 500 with exponential backoff', async () => {
    fake.failNext(2, { status: 500 });
    const started = Date.now();
    const vectors = await embeddings({ baseDelayMs: 40 }).embed(['one', 'two']);
    expect(vectors).toHaveLength(2);
    expect(fake.requests()).toHaveLength(3);
    // Backoffs of 40 and 80 ms with equal jitter wait at least 20 + 40 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
  });

  it('when every try fails, throws EmbeddingFailedError after the last one, retryable, with the last status', async () => {
    fake.failNext(3, { status: 503 });
    const error = await embeddings({ maxAttempts: 3 }).embed(['never']).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(EmbeddingFailedError);
    expect(error).toMatchObject({ code: 'EmbeddingServiceUnavailable', retryable: true, status: 503, attempts: 3 });
    expect(fake.requests()).toHaveLength(3);
  });

  it('does not retry a refusal: a wrong key or an unknown deployment fails at once, not retryable', async () => {
    const wrongKey = createAzureOpenAIEmbeddingClient({
      client: () =>
        createAzureOpenAIClient({ ...connection, credential: { kind: 'apiKey', apiKey: 'wrong' } }, { tokenCredential: noCredential, allowPrivateUrls: true }),
      deployment: DEPLOYMENT,
      dimensions: fake.embeddingDimensions,
    });
    await expect(wrongKey.embed(['x'])).rejects.toMatchObject({ retryable: false, status: 401, attempts: 1 });
    const missing = createAzureOpenAIEmbeddingClient({
      client: () => createAzureOpenAIClient(connection, { tokenCredential: noCredential, allowPrivateUrls: true }),
      deployment: 'no-such-deployment',
      dimensions: fake.embeddingDimensions,
    });
    await expect(missing.embed(['x'])).rejects.toMatchObject({ retryable: false, status: 404 });
    expect(fake.requests()).toHaveLength(2);
  });

  it('refuses a vector size other than the configured one, and empty inputs', async () => {
    const wrongSize = createAzureOpenAIEmbeddingClient({
      client: () => createAzureOpenAIClient(connection, { tokenCredential: noCredential, allowPrivateUrls: true }),
      deployment: DEPLOYMENT,
    });
    expect(wrongSize.dimensions).toBe(1536);
    await expect(wrongSize.embed(['x'])).rejects.toThrow(/returned 256 dimensions where 1536 are configured/);
    await expect(embeddings().embed(['fine', '  '])).rejects.toThrow(RangeError);
  });

  it('does not reach a plain http endpoint unless the local-only setting allows it', async () => {
    await expect(createAzureOpenAIClient(connection, { tokenCredential: noCredential, allowPrivateUrls: false })).rejects.toThrow(/must be https/);
  });

  it('authenticates with a managed identity token when no key is configured', async () => {
    const token = 'entra-token-for-tests';
    const withToken = await startFakeAzureOpenAI({ bearerTokens: [token] });
    try {
      const client = createAzureOpenAIEmbeddingClient({
        client: () =>
          createAzureOpenAIClient(
            { endpoint: withToken.endpoint, apiVersion: '2024-10-21', credential: { kind: 'managedIdentity' } },
            {
              tokenCredential: () => ({ getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) }),
              allowPrivateUrls: true,
            },
          ),
        deployment: DEPLOYMENT,
        dimensions: withToken.embeddingDimensions,
      });
      await client.embed(['hello']);
      expect(withToken.requests()[0]?.auth).toBe('bearer');
    } finally {
      await withToken.close();
    }
  });
});

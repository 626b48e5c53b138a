import type { AzureOpenAI } from 'openai';
import { z } from 'zod';
import { EmbeddingFailedError } from '../../domain/knowledge/embedding-failure.js';
import type { EmbeddingClient } from '../../domain/knowledge/embeddings.js';
import { DEFAULT_RETRY_POLICY, backoffMs, classifyOpenAIError, type CallFailure, type RetryPolicy } from './openai-retry.js';

/** The vector size of text-embedding-3-small and text-embedding-ada-002, expected when no `dimensions` is configured. */
export const DEFAULT_EMBEDDING_DIMENSIONS = 1536;

export interface AzureOpenAIEmbeddingClientOptions {
  /** A client, or a function that builds one on first use (so that `openai` loads only when something is embedded). */
  readonly client: AzureOpenAI | (() => Promise<AzureOpenAI>);
  readonly deployment: string;
  /**
   * Sent as `dimensions` (text-embedding-3 models shorten their vectors on request); without it the deployment's own
   * size must be DEFAULT_EMBEDDING_DIMENSIONS. Every vector returned is checked against it.
   */
  readonly dimensions?: number | undefined;
  /** Inputs per request. Azure accepts up to 2048, but small batches keep one throttled request cheap to repeat. */
  readonly batchSize?: number;
  /** Characters per request (about 4 per token), so a batch of long chunks stays well under the per-request token limit. */
  readonly maxBatchChars?: number;
  /**
   * Longer inputs are cut to this many characters: the models refuse inputs over 8,192 tokens, and the beginning of a
   * text that long is what its vector can represent anyway.
   */
  readonly maxInputChars?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Per request, each try. */
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

const embeddingResponse = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
});

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Splits inputs into batches of at most `size` inputs and `maxChars` characters (a longer single input goes alone). */
export function batchesOf(texts: readonly string[], size: number, maxChars: number): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let chars = 0;
  for (const text of texts) {
    if (current.length > 0 && (current.length >= size || chars + text.length > maxChars)) {
      batches.push(current);
      current = [];
      chars = 0;
    }
    current.push(text);
    chars += text.length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * EmbeddingClient on an Azure OpenAI embedding deployment. Inputs go in batches, one request at a time (parallel
 * requests would only reach the deployment's rate limit sooner); each request is retried by our own loop
 * (openai-retry.ts) with the client's retries turned off for it, so there is exactly one retry policy. After the last
 * try, or on a refusal, it throws EmbeddingFailedError.
 */
export function createAzureOpenAIEmbeddingClient(options: AzureOpenAIEmbeddingClientOptions): EmbeddingClient {
  const dimensions = options.dimensions ?? DEFAULT_EMBEDDING_DIMENSIONS;
  const batchSize = options.batchSize ?? 16;
  const maxBatchChars = options.maxBatchChars ?? 32_000;
  const maxInputChars = options.maxInputChars ?? 24_000;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (batchSize < 1 || batchSize > 2048) throw new RangeError('batchSize must be between 1 and 2048');
  if (policy.maxAttempts < 1) throw new RangeError('retry.maxAttempts must be at least 1');

  let client: Promise<AzureOpenAI> | undefined;
  const clientOf = (): Promise<AzureOpenAI> => {
    const source = options.client;
    client ??= typeof source === 'function' ? source() : Promise.resolve(source);
    // A failed build (e.g. a bad endpoint) is not cached: the next call builds again.
    client.catch(() => (client = undefined));
    return client;
  };

  const request = async (batch: readonly string[]): Promise<number[][]> => {
    const openai = await clientOf();
    const response = await openai.embeddings.create(
      {
        model: options.deployment,
        input: [...batch],
        ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }),
      },
      { maxRetries: 0, timeout: timeoutMs },
    );
    const parsed = embeddingResponse.safeParse(response);
    if (!parsed.success) throw new Error(`the embedding deployment ${options.deployment} answered an unexpected shape`);
    const vectors = new Array<number[] | undefined>(batch.length);
    for (const item of parsed.data.data) {
      if (item.index < batch.length) vectors[item.index] = item.embedding;
    }
    return vectors.map((vector, index) => {
      if (vector === undefined) throw new Error(`the embedding deployment ${options.deployment} returned no vector for input ${index}`);
      if (vector.length !== dimensions) {
        throw new Error(
          `the embedding deployment ${options.deployment} returned ${vector.length} dimensions where ${dimensions} are configured (AZURE_OPENAI_EMBEDDING_DIMENSIONS)`,
        );
      }
      return vector;
    });
  };

  const withRetries = async (batch: readonly string[]): Promise<number[][]> => {
    for (let attempt = 1; ; attempt += 1) {
      let failure: CallFailure;
      try {
        return await request(batch);
      } catch (err) {
        // Anything but the service's answer (a shape or size mismatch above, a bad endpoint) surfaces as it is.
        const classified = await classifyOpenAIError(err);
        if (classified === undefined) throw err;
        failure = classified;
      }
      const wait = failure.retryAfterMs ?? backoffMs(attempt, policy, random);
      if (!failure.retryable || attempt >= policy.maxAttempts || wait > policy.maxRetryAfterMs) {
        throw new EmbeddingFailedError(failure.retryable, failure.status, attempt);
      }
      await sleep(wait);
    }
  };

  return {
    model: options.deployment,
    dimensions,
    async embed(texts: readonly string[]): Promise<number[][]> {
      if (texts.length === 0) return [];
      const inputs = texts.map((text, index) => {
        // The service refuses empty inputs; an empty chunk or query is a caller's bug, not something to invent a vector for.
        if (text.trim() === '') throw new RangeError(`input ${index} is empty; only non-empty texts can be embedded`);
        return text.length > maxInputChars ? text.slice(0, maxInputChars) : text;
      });
      const vectors: number[][] = [];
      for (const batch of batchesOf(inputs, batchSize, maxBatchChars)) vectors.push(...(await withRetries(batch)));
      return vectors;
    },
  };
}

import type { EmbeddingClient } from '../../../shared/domain/knowledge/embeddings.js';
import { fakeEmbedding } from '../../fakes/azure-openai.js';

/**
 * An EmbeddingClient without I/O: the Azure OpenAI fake's deterministic vectors (texts sharing words are close).
 * Counts what it embeds, and can be told to fail, so tests see when embeddings are (re)computed.
 */
export class HashingEmbeddingClient implements EmbeddingClient {
  readonly embedded: string[] = [];
  failWith: Error | undefined;

  constructor(
    readonly dimensions = 64,
    readonly model = 'hashing-embeddings',
  ) {}

  async embed(texts: readonly string[]): Promise<number[][]> {
    if (this.failWith !== undefined) throw this.failWith;
    this.embedded.push(...texts);
    return texts.map((text) => fakeEmbedding(text, this.dimensions));
  }
}

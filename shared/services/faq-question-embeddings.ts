import type { FaqItem } from '../domain/faq.js';
import type { EmbeddingClient } from '../domain/knowledge/embeddings.js';

/** Whether an item's stored embedding can be compared with vectors of this client (same deployment, same size). */
export function hasCurrentEmbedding(item: FaqItem, embeddings: EmbeddingClient): boolean {
  const stored = item.questionEmbedding;
  return stored !== undefined && stored.model === embeddings.model && stored.vector.length === embeddings.dimensions;
}

/**
 * Gives every item an embedding of its question from the platform's embedding deployment, embedding (in one batched
 * call) only the items that lack a current one: new or changed questions, and items written before the deployment
 * was configured or changed. Without a deployment the items are returned as they are.
 *
 * An embedding failure fails the write (503, retry later) instead of saving pairs the semantic matcher cannot see.
 */
export async function withQuestionEmbeddings(items: readonly FaqItem[], embeddings: EmbeddingClient | undefined): Promise<FaqItem[]> {
  if (embeddings === undefined) return [...items];
  const missing = items.filter((item) => !hasCurrentEmbedding(item, embeddings));
  if (missing.length === 0) return [...items];
  const vectors = await embeddings.embed(missing.map((item) => item.question));
  const byId = new Map(missing.map((item, i) => [item.id, vectors[i]]));
  return items.map((item) => {
    const vector = byId.get(item.id);
    return vector === undefined ? item : { ...item, questionEmbedding: { model: embeddings.model, vector } };
  });
}

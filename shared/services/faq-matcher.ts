import type { FaqCollection, FaqItem } from '../domain/faq.js';
import {
  LEXICAL_MATCH_THRESHOLD,
  SEMANTIC_MATCH_THRESHOLD,
  cosineSimilarity,
  lexicalPairScores,
} from '../domain/faq-matching.js';
import type { FaqRepository } from '../domain/faq-repository.js';
import type { EmbeddingClient } from '../domain/knowledge/embeddings.js';
import type { Logger } from '../domain/logger.js';
import { hasCurrentEmbedding } from './faq-question-embeddings.js';

export interface FaqMatch {
  readonly collectionId: string;
  readonly item: Pick<FaqItem, 'id' | 'question' | 'answer'>;
  /** 0..1: cosine similarity (semantic) or normalised BM25 (lexical); see faq-matching.ts. */
  readonly score: number;
  readonly method: 'semantic' | 'lexical';
}

export interface FaqMatcherDeps {
  readonly faqs: FaqRepository;
  readonly embeddings: EmbeddingClient | undefined;
  readonly logger: Logger;
}

export interface FaqMatcherOptions {
  readonly semanticThreshold?: number;
  readonly lexicalThreshold?: number;
  /**
   * How long a turn of the conversation waits for the question's embedding (the embedding client's own retries may
   * take many seconds); past it the lexical match answers.
   */
  readonly embeddingTimeoutMs?: number;
}

export const DEFAULT_FAQ_EMBEDDING_TIMEOUT_MS = 2000;

class EmbeddingTimedOut extends Error {
  constructor() {
    super('the question embedding took too long');
    this.name = 'EmbeddingTimedOut';
  }
}

/** The promise's value, or EmbeddingTimedOut after `ms`; the work itself goes on, and its late failure is ignored. */
async function within<T>(work: Promise<T>, ms: number): Promise<T> {
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new EmbeddingTimedOut()), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

interface Candidate {
  readonly collectionId: string;
  readonly item: FaqItem;
}

/**
 * Finds the FAQ pair that answers a user's question, for the conversation runtime (an agent's `faqCollections`).
 * Semantic first, when an embedding deployment is configured: the question is embedded and compared with the pairs'
 * stored question embeddings. If that finds nothing above its threshold (or embedding fails or takes longer than
 * embeddingTimeoutMs, or no pair has a current embedding), the lexical score decides. Unknown collection ids (deleted
 * since the agent was saved, or another project's) are skipped.
 */
export class FaqMatcher {
  private readonly semanticThreshold: number;
  private readonly lexicalThreshold: number;
  private readonly embeddingTimeoutMs: number;

  constructor(
    private readonly deps: FaqMatcherDeps,
    options: FaqMatcherOptions = {},
  ) {
    this.semanticThreshold = options.semanticThreshold ?? SEMANTIC_MATCH_THRESHOLD;
    this.lexicalThreshold = options.lexicalThreshold ?? LEXICAL_MATCH_THRESHOLD;
    this.embeddingTimeoutMs = options.embeddingTimeoutMs ?? DEFAULT_FAQ_EMBEDDING_TIMEOUT_MS;
  }

  async matchFaq(projectId: string, collectionIds: readonly string[], question: string): Promise<FaqMatch | undefined> {
    if (question.trim() === '' || collectionIds.length === 0) return undefined;
    const collections = await Promise.all([...new Set(collectionIds)].map((id) => this.deps.faqs.get(projectId, id)));
    const candidates = collections
      .filter((c): c is FaqCollection => c !== undefined)
      .flatMap((c) => c.items.map((item) => ({ collectionId: c.id, item })));
    if (candidates.length === 0) return undefined;
    return (await this.semanticMatch(candidates, question)) ?? this.lexicalMatch(candidates, question);
  }

  private async semanticMatch(candidates: readonly Candidate[], question: string): Promise<FaqMatch | undefined> {
    const embeddings = this.deps.embeddings;
    if (embeddings === undefined) return undefined;
    const embedded = candidates.filter((c) => hasCurrentEmbedding(c.item, embeddings));
    if (embedded.length === 0) return undefined;
    let vector: number[] | undefined;
    try {
      [vector] = await within(embeddings.embed([question]), this.embeddingTimeoutMs);
    } catch (err) {
      // A conversation must go on while the embedding deployment is down or slow: the lexical match still answers.
      this.deps.logger.warn('FAQ question could not be embedded; matching lexically', {
        error: err instanceof Error ? err.name : 'unknown',
      });
      return undefined;
    }
    if (vector === undefined) return undefined;
    let best: { candidate: Candidate; score: number } | undefined;
    for (const candidate of embedded) {
      const score = cosineSimilarity(vector, candidate.item.questionEmbedding?.vector ?? []);
      if (best === undefined || score > best.score) best = { candidate, score };
    }
    if (best === undefined || best.score < this.semanticThreshold) return undefined;
    return matchOf(best.candidate, best.score, 'semantic');
  }

  private lexicalMatch(candidates: readonly Candidate[], question: string): FaqMatch | undefined {
    const scores = lexicalPairScores(question, candidates.map((c) => c.item));
    let bestIndex = -1;
    scores.forEach((score, i) => {
      if (bestIndex < 0 || score > (scores[bestIndex] ?? 0)) bestIndex = i;
    });
    const best = candidates[bestIndex];
    const score = scores[bestIndex] ?? 0;
    if (best === undefined || score < this.lexicalThreshold) return undefined;
    return matchOf(best, score, 'lexical');
  }
}

function matchOf(candidate: Candidate, score: number, method: FaqMatch['method']): FaqMatch {
  const { id, question, answer } = candidate.item;
  return { collectionId: candidate.collectionId, item: { id, question, answer }, score, method };
}

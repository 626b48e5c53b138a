import type { SqlParameter, SqlQuerySpec } from '@azure/cosmos';
import type { KnowledgeSearch } from '../../domain/knowledge/knowledge-index.js';
import { tokenize } from '../../domain/knowledge/lexical.js';

/** Terms passed to FullTextScore: a question rarely has more, and each one is another parameter and more work. */
export const MAX_FULL_TEXT_TERMS = 16;

/** The largest TOP the query accepts (the search route allows 20; the FAQ and agent paths stay below this too). */
export const MAX_TOP = 100;

export type CosmosSearchMode = 'hybrid' | 'fullText' | 'vector';

export interface CosmosKnowledgeQuery {
  readonly mode: CosmosSearchMode;
  readonly spec: SqlQuerySpec;
}

/**
 * The query's words as Cosmos DB full-text search should get them: lower-cased and unique, without stop words, but
 * not stemmed, since the container's full-text policy (en-US) stems both sides itself.
 */
export function fullTextTermsOf(query: string): string[] {
  const words = query.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [];
  const terms: string[] = [];
  for (const word of words) {
    if (terms.length >= MAX_FULL_TEXT_TERMS) break;
    if (!terms.includes(word) && tokenize(word).length > 0) terms.push(word);
  }
  return terms;
}

const SELECTED = 'c.id, c.fileId, c.text, c.page, c.section';

/**
 * The Cosmos DB for NoSQL query for one knowledge search, or undefined when there is nothing to rank by. Every form
 * filters on the partition key (baseId) and the project, and is run in the base's partition:
 *
 * - hybrid: `ORDER BY RANK RRF(FullTextScore(c.text, @t0, ...), VectorDistance(c.embedding, @embedding))`, BM25 and
 *   vector similarity fused by reciprocal rank in the service, as the embedded index does in memory;
 * - fullText (no query embedding): `FullTextContainsAny` keeps chunks sharing at least one term (as BM25 would), ranked
 *   by `ORDER BY RANK FullTextScore(...)`;
 * - vector (a query without searchable words): `ORDER BY VectorDistance(...)`, cosine similarity best first.
 *
 * TOP is a literal (validated integer), as ranked queries require a TOP and the service documents it literal.
 */
export function buildCosmosKnowledgeQuery(request: KnowledgeSearch): CosmosKnowledgeQuery | undefined {
  const top = Math.trunc(request.top);
  if (!(top >= 1 && top <= MAX_TOP)) throw new RangeError(`top must be between 1 and ${MAX_TOP}`);
  const terms = fullTextTermsOf(request.query);
  const embedding = request.queryEmbedding !== undefined && request.queryEmbedding.length > 0 ? [...request.queryEmbedding] : undefined;
  const parameters: SqlParameter[] = [
    { name: '@baseId', value: request.baseId },
    { name: '@projectId', value: request.projectId },
  ];
  const termNames = terms.map((term, i) => {
    parameters.push({ name: `@t${i}`, value: term });
    return `@t${i}`;
  });
  if (embedding !== undefined) parameters.push({ name: '@embedding', value: embedding });
  const where = 'c.baseId = @baseId AND c.projectId = @projectId';
  const fullTextScore = `FullTextScore(c.text, ${termNames.join(', ')})`;
  const vectorDistance = 'VectorDistance(c.embedding, @embedding)';

  if (terms.length > 0 && embedding !== undefined) {
    return {
      mode: 'hybrid',
      spec: { query: `SELECT TOP ${top} ${SELECTED} FROM c WHERE ${where} ORDER BY RANK RRF(${fullTextScore}, ${vectorDistance})`, parameters },
    };
  }
  if (terms.length > 0) {
    return {
      mode: 'fullText',
      spec: {
        query: `SELECT TOP ${top} ${SELECTED} FROM c WHERE ${where} AND FullTextContainsAny(c.text, ${termNames.join(', ')}) ORDER BY RANK ${fullTextScore}`,
        parameters,
      },
    };
  }
  if (embedding !== undefined) {
    return {
      mode: 'vector',
      spec: { query: `SELECT TOP ${top} ${SELECTED} FROM c WHERE ${where} ORDER BY ${vectorDistance}`, parameters },
    };
  }
  return undefined;
}

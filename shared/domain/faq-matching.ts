import { tokenize } from './knowledge/lexical.js';

/**
 * Scoring a user's question against FAQ pairs, for the conversation runtime's "answer from the FAQ" step. Both
 * scores run from 0 to 1 and a pair counts as a match only at or above its method's threshold, so that an agent
 * answers from the FAQ when the question really is that question and otherwise goes on to its knowledge and model.
 *
 * - Semantic: the cosine similarity of the question's embedding and the pair's question embedding. With the
 *   text-embedding-3 models, rephrasings of one question score about 0.75-0.95 and merely related questions about
 *   0.4-0.7, hence SEMANTIC_MATCH_THRESHOLD = 0.75. (ada-002 compresses similarities upwards; a deployment of it
 *   would need a higher threshold.)
 * - Lexical: BM25 of the question against question + answer (and against the question alone, averaged in), divided
 *   by the score of an ideal pair, one of average length holding every query term once (the sum of the terms' IDF).
 *   That reads as "how much of what the question asks, weighted by how telling each word is, the pair covers": 1 for
 *   full coverage, 0.5 for half. LEXICAL_MATCH_THRESHOLD = 0.5. Words that appear in no pair weigh most (they are the rarest), so a question about
 *   something the FAQ does not cover ("reset the coffee machine" against "reset my password") stays below it.
 */

export const SEMANTIC_MATCH_THRESHOLD = 0.75;
export const LEXICAL_MATCH_THRESHOLD = 0.5;

const K1 = 1.2;
const B = 0.75;

/**
 * Words of spoken questions that carry no topic ("could you tell me please ..."), on top of lexical.ts's stop words.
 * Left in, they would count as unmatched query terms and sink every lexical score of a conversational question.
 */
const FILLER_WORDS = new Set(
  'about any anything can could did do does done hello hey hi just know like me mine my need please some something tell thank thanks want would should um uh ok okay'.split(' '),
);

export function questionTerms(question: string): string[] {
  const words = question.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(tokenize(words.filter((word) => !FILLER_WORDS.has(word)).join(' ')))];
}

export interface LexicalPair {
  readonly question: string;
  readonly answer: string;
}

/**
 * Normalised BM25 (0..1) of the query terms against each text: the BM25 score divided by the sum of the terms' IDF,
 * which is what a text of average length holding each term once would score.
 */
function normalisedBm25(terms: readonly string[], texts: readonly string[]): number[] {
  const documents = texts.map((text) => {
    const counts = new Map<string, number>();
    const tokens = tokenize(text);
    for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
    return { counts, length: tokens.length };
  });
  const n = documents.length;
  const averageLength = Math.max(1, documents.reduce((sum, d) => sum + d.length, 0) / n);
  const idf = new Map<string, number>();
  for (const term of terms) {
    const df = documents.filter((d) => d.counts.has(term)).length;
    idf.set(term, Math.log(1 + (n - df + 0.5) / (df + 0.5)));
  }
  const ideal = terms.reduce((sum, term) => sum + (idf.get(term) ?? 0), 0);
  return documents.map((d) => {
    let score = 0;
    for (const term of terms) {
      const tf = d.counts.get(term) ?? 0;
      if (tf === 0) continue;
      score += ((idf.get(term) ?? 0) * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * d.length) / averageLength));
    }
    return ideal === 0 ? 0 : Math.min(1, score / ideal);
  });
}

/**
 * One score (0..1) per pair, in order: the mean of the normalised BM25 over question + answer and over the question
 * alone. The second half keeps a pair whose answer merely mentions a word ("Open Settings ...") below the pair whose
 * question asks about it ("What are your opening hours?").
 */
export function lexicalPairScores(question: string, pairs: readonly LexicalPair[]): number[] {
  const terms = questionTerms(question);
  if (terms.length === 0 || pairs.length === 0) return pairs.map(() => 0);
  const whole = normalisedBm25(terms, pairs.map((pair) => `${pair.question} ${pair.answer}`));
  const questions = normalisedBm25(terms, pairs.map((pair) => pair.question));
  return whole.map((score, i) => (score + (questions[i] ?? 0)) / 2);
}

/** Cosine similarity; 0 when either vector is zero or the sizes differ (vectors of different models never compare). */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i += 1) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

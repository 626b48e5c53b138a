/**
 * Lexical retrieval: tokenisation and BM25 scoring over a set of passages. Pure and serialisable, so the local
 * embedded index and tests share it; in Azure, Cosmos DB full-text search plays this part.
 */

const STOP_WORDS = new Set(
  'a an and are as at be but by for from has have how i if in into is it its of on or our so that the their then there these this to was we were what when where which who why will with you your'.split(' '),
);

/** Lower-cased letter/number runs with a light English suffix strip, stop words removed. */
export function tokenize(text: string): string[] {
  const words = text.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').match(/[\p{L}\p{N}]+/gu) ?? [];
  const tokens: string[] = [];
  for (const word of words) {
    if (STOP_WORDS.has(word)) continue;
    tokens.push(stem(word));
  }
  return tokens;
}

/** Enough stemming for plural and verb forms to meet ("refunds" / "refunded" / "refund"); not a full stemmer. */
export function stem(word: string): string {
  if (word.length <= 3 || /^\d+$/.test(word)) return word;
  for (const [suffix, replacement] of [
    ['ies', 'y'],
    ['ing', ''],
    ['ed', ''],
    ['es', ''],
    ['s', ''],
  ] as const) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) {
      if (suffix === 's' && word.endsWith('ss')) return word;
      return word.slice(0, word.length - suffix.length) + replacement;
    }
  }
  return word;
}

export interface LexicalDocument {
  readonly id: string;
  readonly text: string;
}

export interface ScoredId {
  readonly id: string;
  readonly score: number;
}

interface Posting {
  readonly doc: number;
  readonly tf: number;
}

/** An in-memory BM25 index (k1 = 1.2, b = 0.75). Adding a document with an existing id replaces it. */
export class Bm25Index {
  readonly #k1 = 1.2;
  readonly #b = 0.75;
  #ids: (string | undefined)[] = [];
  #lengths: number[] = [];
  #byId = new Map<string, number>();
  #postings = new Map<string, Posting[]>();
  #totalLength = 0;
  #live = 0;

  get size(): number {
    return this.#live;
  }

  add(document: LexicalDocument): void {
    this.remove(document.id);
    const tokens = tokenize(document.text);
    const doc = this.#ids.length;
    this.#ids.push(document.id);
    this.#lengths.push(tokens.length);
    this.#byId.set(document.id, doc);
    this.#totalLength += tokens.length;
    this.#live += 1;
    const counts = new Map<string, number>();
    for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
    for (const [token, tf] of counts) {
      let list = this.#postings.get(token);
      if (!list) this.#postings.set(token, (list = []));
      list.push({ doc, tf });
    }
  }

  remove(id: string): void {
    const doc = this.#byId.get(id);
    if (doc === undefined) return;
    this.#byId.delete(id);
    this.#ids[doc] = undefined;
    this.#totalLength -= this.#lengths[doc] ?? 0;
    this.#live -= 1;
    // Postings of removed documents are skipped at query time and dropped when the index is rebuilt.
  }

  search(query: string, top: number, accept?: (id: string) => boolean): ScoredId[] {
    if (this.#live === 0) return [];
    const avgLength = this.#totalLength / this.#live;
    const scores = new Map<number, number>();
    for (const token of new Set(tokenize(query))) {
      const list = this.#postings.get(token);
      if (!list) continue;
      const live = list.filter((p) => this.#ids[p.doc] !== undefined);
      if (live.length === 0) continue;
      const idf = Math.log(1 + (this.#live - live.length + 0.5) / (live.length + 0.5));
      for (const { doc, tf } of live) {
        const length = this.#lengths[doc] ?? 0;
        const norm = tf * (this.#k1 + 1) / (tf + this.#k1 * (1 - this.#b + (this.#b * length) / avgLength));
        scores.set(doc, (scores.get(doc) ?? 0) + idf * norm);
      }
    }
    const results: ScoredId[] = [];
    for (const [doc, score] of scores) {
      const id = this.#ids[doc];
      if (id !== undefined && (accept === undefined || accept(id))) results.push({ id, score });
    }
    return results.sort((x, y) => y.score - x.score || x.id.localeCompare(y.id)).slice(0, top);
  }
}

/**
 * Reciprocal rank fusion: each ranking contributes 1 / (k + rank); k = 60 as in the original paper and in Azure's
 * hybrid search. Ties break by id so results are stable.
 */
export function reciprocalRankFusion(rankings: readonly (readonly ScoredId[])[], k = 60): ScoredId[] {
  const fused = new Map<string, number>();
  for (const ranking of rankings) {
    ranking.forEach((entry, rank) => fused.set(entry.id, (fused.get(entry.id) ?? 0) + 1 / (k + rank + 1)));
  }
  return [...fused].map(([id, score]) => ({ id, score })).sort((x, y) => y.score - x.score || x.id.localeCompare(y.id));
}

import { tokenize, type ScoredId } from '../../domain/knowledge/lexical.js';

const K1 = 1.2;
const B = 0.75;

interface Postings {
  readonly docs: Int32Array;
  readonly tfs: Float64Array;
}

/**
 * BM25 over a fixed set of passages, scoring exactly as lexical.ts's Bm25Index (same tokenizer, k1 = 1.2, b = 0.75,
 * same IDF, ties by id) but built once and laid out in typed arrays: a base's index never changes in place (a change
 * builds a new one), so there is no removal to check per posting, scores accumulate in one reused Float64Array
 * instead of a Map, and only the best `top` are kept instead of sorting every match. On 10,000 chunks a query of
 * common words touches most of them, and that is where Bm25Index spends its time.
 */
export class FrozenBm25 {
  readonly #ids: readonly string[];
  readonly #postings = new Map<string, Postings>();
  /** k1 · (1 − b + b · length / average length), per document. */
  readonly #lengthNorm: Float64Array;
  readonly #scores: Float64Array;
  readonly #touched: Int32Array;

  constructor(documents: readonly { readonly id: string; readonly text: string }[]) {
    this.#ids = documents.map((d) => d.id);
    const lengths = new Float64Array(documents.length);
    const building = new Map<string, { docs: number[]; tfs: number[] }>();
    documents.forEach((document, doc) => {
      const tokens = tokenize(document.text);
      lengths[doc] = tokens.length;
      const counts = new Map<string, number>();
      for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
      for (const [token, tf] of counts) {
        let list = building.get(token);
        if (list === undefined) building.set(token, (list = { docs: [], tfs: [] }));
        list.docs.push(doc);
        list.tfs.push(tf);
      }
    });
    for (const [token, list] of building) this.#postings.set(token, { docs: Int32Array.from(list.docs), tfs: Float64Array.from(list.tfs) });
    const total = lengths.reduce((sum, length) => sum + length, 0);
    const average = documents.length === 0 ? 0 : total / documents.length;
    this.#lengthNorm = lengths.map((length) => K1 * (1 - B + (B * length) / average));
    this.#scores = new Float64Array(documents.length);
    this.#touched = new Int32Array(documents.length);
  }

  get size(): number {
    return this.#ids.length;
  }

  /** The `top` best documents for the query, best first; `accept` (by document position) filters before ranking. */
  search(query: string, top: number, accept?: (doc: number) => boolean): ScoredId[] {
    const n = this.#ids.length;
    if (n === 0 || top < 1) return [];
    const scores = this.#scores;
    const touched = this.#touched;
    let touchedCount = 0;
    for (const token of new Set(tokenize(query))) {
      const postings = this.#postings.get(token);
      if (postings === undefined) continue;
      const { docs, tfs } = postings;
      const df = docs.length;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (let p = 0; p < df; p += 1) {
        const doc = docs[p] as number;
        const tf = tfs[p] as number;
        if (scores[doc] === 0) touched[touchedCount++] = doc;
        scores[doc] = (scores[doc] as number) + (idf * (tf * (K1 + 1))) / (tf + (this.#lengthNorm[doc] as number));
      }
    }
    // `best` stays sorted best first and at most `top` long; ties break by id as in Bm25Index.
    const best: { doc: number; score: number }[] = [];
    const before = (a: { doc: number; score: number }, b: { doc: number; score: number }) =>
      a.score > b.score || (a.score === b.score && (this.#ids[a.doc] as string).localeCompare(this.#ids[b.doc] as string) < 0);
    for (let t = 0; t < touchedCount; t += 1) {
      const doc = touched[t] as number;
      const entry = { doc, score: scores[doc] as number };
      scores[doc] = 0;
      if (accept !== undefined && !accept(doc)) continue;
      const last = best[best.length - 1];
      if (best.length === top && last !== undefined && !before(entry, last)) continue;
      let at = best.length;
      while (at > 0 && before(entry, best[at - 1] as { doc: number; score: number })) at -= 1;
      best.splice(at, 0, entry);
      if (best.length > top) best.pop();
    }
    return best.map(({ doc, score }) => ({ id: this.#ids[doc] as string, score }));
  }
}

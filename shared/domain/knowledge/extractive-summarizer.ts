import { CHUNK_OVERLAP_MARK, type Chunk } from './chunking.js';
import { tokenize } from './lexical.js';
import { SUMMARY_TARGET_CHARS, type SummaryRequest, type Summarizer } from './summarizer.js';

const SENTENCE_END = /(?<=[.!?。！？])\s+(?=\S)/u;
/** Headings, captions and list stubs make poor summary sentences. */
const MIN_SENTENCE_CHARS = 25;
/**
 * Chunks weighed for a summary. A long document's profile is clear from an even sample of this many, and weighing every
 * chunk of a 10 MB file would take longer than chunking it.
 */
const MAX_WEIGHED_CHUNKS = 200;

type TermVector = Map<string, number>;

function termVector(text: string): TermVector {
  const vector: TermVector = new Map();
  for (const token of tokenize(text)) vector.set(token, (vector.get(token) ?? 0) + 1);
  return vector;
}

function norm(vector: TermVector): number {
  let sum = 0;
  for (const value of vector.values()) sum += value * value;
  return Math.sqrt(sum);
}

function cosine(a: TermVector, b: TermVector, normB: number): number {
  const normA = norm(a);
  if (normA === 0 || normB === 0) return 0;
  let dot = 0;
  for (const [term, value] of a) dot += value * (b.get(term) ?? 0);
  return dot / (normA * normB);
}

/** The chunk's own text, without the overlap carried over from the previous chunk. */
function ownText(chunk: Chunk): string {
  const mark = chunk.text.indexOf(CHUNK_OVERLAP_MARK);
  return chunk.index > 0 && mark >= 0 ? chunk.text.slice(mark + CHUNK_OVERLAP_MARK.length) : chunk.text;
}

function firstSentence(text: string): string | undefined {
  for (const sentence of text.replace(/\s+/g, ' ').trim().split(SENTENCE_END)) {
    if (sentence.length >= MIN_SENTENCE_CHARS) return sentence;
  }
  return undefined;
}

/** At most `max` items spread evenly over the list, first and last included, in order. */
function evenSample<T>(items: readonly T[], max: number): readonly T[] {
  if (items.length <= max) return items;
  const step = (items.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => items[Math.round(i * step)] as T);
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf(' ', max - 1);
  return `${text.slice(0, cut > max / 2 ? cut : max - 1).trimEnd()}…`;
}

/**
 * The first sentence of each of the most central chunks (closest to the whole document's term profile, a form of
 * centroid summarisation), in document order, up to about SUMMARY_TARGET_CHARS. Deterministic and free, so every
 * file gets a summary when no chat deployment is configured or the model fails.
 */
export function extractiveSummary(allChunks: readonly Chunk[], targetChars = SUMMARY_TARGET_CHARS): string {
  const chunks = evenSample(allChunks, MAX_WEIGHED_CHUNKS);
  const candidates = chunks
    .map((chunk) => ({ chunk, sentence: firstSentence(ownText(chunk)) }))
    .filter((c): c is { chunk: Chunk; sentence: string } => c.sentence !== undefined);
  if (candidates.length === 0) {
    const text = chunks.map(ownText).join(' ').replace(/\s+/g, ' ').trim();
    return truncate(text, targetChars);
  }
  const centroid: TermVector = new Map();
  const vectors = new Map(chunks.map((chunk) => [chunk, termVector(ownText(chunk))]));
  for (const vector of vectors.values()) for (const [term, value] of vector) centroid.set(term, (centroid.get(term) ?? 0) + value);
  const centroidNorm = norm(centroid);
  const ranked = candidates
    .map(({ chunk, sentence }) => ({
      chunk,
      sentence,
      // Openings tend to say what a document is about: a small bonus breaks near-ties towards the start.
      score: cosine(vectors.get(chunk) ?? new Map(), centroid, centroidNorm) + 0.05 / (1 + chunk.index),
    }))
    .sort((x, y) => y.score - x.score || x.chunk.index - y.chunk.index);

  const chosen: { index: number; sentence: string }[] = [];
  let length = 0;
  const seen = new Set<string>();
  for (const { chunk, sentence } of ranked) {
    if (seen.has(sentence)) continue;
    if (chosen.length > 0 && length + 1 + sentence.length > targetChars) continue;
    seen.add(sentence);
    chosen.push({ index: chunk.index, sentence });
    length += (chosen.length > 1 ? 1 : 0) + sentence.length;
    if (length >= targetChars * 0.8) break;
  }
  const summary = chosen
    .sort((x, y) => x.index - y.index)
    .map((c) => c.sentence)
    .join(' ');
  return truncate(summary, targetChars + 50);
}

export const extractiveSummarizer: Summarizer = {
  async summarize(request: SummaryRequest): Promise<string> {
    return extractiveSummary(request.chunks);
  },
};

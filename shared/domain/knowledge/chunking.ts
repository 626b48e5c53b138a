/**
 * Structure-following chunking for retrieval. Extractors turn a document into blocks (headings, paragraphs, page
 * starts); chunks never cross a heading or a page, fill up to a target size by whole paragraphs, split an oversized
 * paragraph at sentence ends, and carry the tail of the previous chunk of the same section as overlap so an answer
 * that straddles a boundary is still found. Each chunk knows its page (pdf) or section (heading path).
 */

export type DocumentBlock =
  | { readonly kind: 'heading'; readonly level: number; readonly text: string }
  | { readonly kind: 'paragraph'; readonly text: string }
  /** Everything after this block is on page `page` (1-based), until the next page block. */
  | { readonly kind: 'page'; readonly page: number };

export interface Chunk {
  /** 0-based position in the document. */
  readonly index: number;
  readonly text: string;
  readonly page?: number | undefined;
  /** The heading path, e.g. `Billing > Refunds`. */
  readonly section?: string | undefined;
}

export interface ChunkingOptions {
  /** Aim for chunks of about this many characters (≈ 4 characters a token). */
  readonly targetChars: number;
  /** Never exceed this many characters, overlap included. */
  readonly maxChars: number;
  /** Characters of the previous chunk's tail repeated at the start of the next one in the same section. */
  readonly overlapChars: number;
}

export const DEFAULT_CHUNKING: ChunkingOptions = { targetChars: 900, maxChars: 1400, overlapChars: 150 };

/** Joins the tail of the previous chunk of a section to a chunk's own text: `<tail> … <text>`. */
export const CHUNK_OVERLAP_MARK = ' … ';

const SENTENCE_END = /(?<=[.!?。！？])\s+(?=\S)/u;

/**
 * Text normalizeSpace would give back unchanged. Extractors clean their text already (one blank line at most, lines
 * trimmed), so most blocks only need this one test instead of three passes that copy them.
 */
const NEEDS_SPACING = /[\t\f\v\u00a0]| {2}|\s\n|\n\s|^\s|\s$/;

function normalizeSpace(text: string): string {
  if (!NEEDS_SPACING.test(text)) return text;
  return text.replace(/[ \t\f\v\u00a0]+/g, ' ').replace(/\s*\n\s*/g, '\n').trim();
}

/** Splits text into pieces no longer than `max`, at sentence ends where possible, else at spaces, else hard. */
export function splitToFit(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const pieces: string[] = [];
  let current = '';
  const push = (): void => {
    if (current.trim()) pieces.push(current.trim());
    current = '';
  };
  for (const sentence of text.split(SENTENCE_END)) {
    if (sentence.length > max) {
      push();
      let rest = sentence;
      while (rest.length > max) {
        const cut = rest.lastIndexOf(' ', max);
        const at = cut > max / 2 ? cut : max;
        pieces.push(rest.slice(0, at).trim());
        rest = rest.slice(at).trim();
      }
      current = rest;
      continue;
    }
    if (current && current.length + 1 + sentence.length > max) push();
    current = current ? `${current} ${sentence}` : sentence;
  }
  push();
  return pieces;
}

/** The last `chars` characters of `text`, starting at a word boundary. */
function tailOf(text: string, chars: number): string {
  if (chars <= 0 || text.length <= chars) return chars <= 0 ? '' : text;
  const start = text.indexOf(' ', text.length - chars);
  return start < 0 ? '' : text.slice(start + 1);
}

export function chunkDocument(blocks: readonly DocumentBlock[], options: ChunkingOptions = DEFAULT_CHUNKING): Chunk[] {
  if (options.overlapChars >= options.targetChars || options.targetChars > options.maxChars) {
    throw new RangeError('chunking needs overlapChars < targetChars <= maxChars');
  }
  const chunks: Chunk[] = [];
  const headings: string[] = [];
  let page: number | undefined;
  let parts: string[] = [];
  let length = 0;
  let overlap = '';

  const section = (): string | undefined => (headings.filter(Boolean).length ? headings.filter(Boolean).join(' > ') : undefined);
  const flush = (): void => {
    if (parts.length === 0) return;
    const body = parts.join('\n\n');
    const text = overlap ? `${overlap}${CHUNK_OVERLAP_MARK}${body}` : body;
    chunks.push({ index: chunks.length, text, page, section: section() });
    overlap = tailOf(body, options.overlapChars);
    parts = [];
    length = 0;
  };
  const boundary = (): void => {
    flush();
    overlap = '';
  };

  for (const block of blocks) {
    if (block.kind === 'page') {
      boundary();
      page = block.page;
      continue;
    }
    const text = normalizeSpace(block.text);
    if (!text) continue;
    if (block.kind === 'heading') {
      boundary();
      const level = Math.min(Math.max(1, Math.floor(block.level)), 6);
      headings.length = level - 1;
      headings[level - 1] = text;
      continue;
    }
    // Room left once the overlap prefix is added: pieces never push a chunk past maxChars.
    const room = options.maxChars - options.overlapChars - 3;
    for (const piece of splitToFit(text, Math.min(room, options.targetChars))) {
      if (length > 0 && length + 2 + piece.length > options.targetChars) flush();
      parts.push(piece);
      length += (length > 0 ? 2 : 0) + piece.length;
    }
  }
  flush();
  return chunks;
}

import type { DocumentBlock } from '../../../domain/knowledge/chunking.js';

/**
 * Reading structure back from a PDF's positioned text. PDF.js gives runs of text with a position and a font size;
 * runs on one baseline make a line, a vertical gap clearly larger than the document's usual line spacing starts a
 * paragraph, and short lines set clearly larger than the body text are headings (the largest size is level 1).
 */

export interface PositionedText {
  readonly text: string;
  /** Baseline position in PDF units (y grows upwards). */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  /** Font size in PDF units. */
  readonly size: number;
  /** PDF.js marks the last run of a line. */
  readonly endOfLine: boolean;
}

export interface TextLine {
  readonly text: string;
  readonly y: number;
  readonly size: number;
}

export function linesOf(runs: readonly PositionedText[]): TextLine[] {
  const lines: TextLine[] = [];
  let text = '';
  let y = 0;
  let end = 0;
  // The size of a line is the size most of its characters have (a drop cap or a footnote mark does not count).
  let sizes = new Map<number, number>();
  const endLine = (): void => {
    if (text.trim()) {
      const size = [...sizes].reduce((best, entry) => (entry[1] > best[1] ? entry : best), [0, -1])[0];
      lines.push({ text: text.trim(), y, size });
    }
    text = '';
    sizes = new Map();
  };
  for (const run of runs) {
    if (run.text) {
      const size = Math.round(run.size * 2) / 2;
      if (text && Math.abs(run.y - y) > Math.max(size, 1) * 0.5) endLine();
      if (!text) {
        y = run.y;
      } else if (run.x - end > size * 0.15 && !/\s$/.test(text) && !/^\s/.test(run.text)) {
        text += ' ';
      }
      text += run.text;
      end = run.x + run.width;
      sizes.set(size, (sizes.get(size) ?? 0) + run.text.length);
    }
    if (run.endOfLine) endLine();
  }
  endLine();
  return lines;
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The gap (in font sizes) above which a new paragraph starts: the usual line spacing with some slack, bounded. */
function paragraphGap(pages: readonly (readonly TextLine[])[]): number {
  const ratios: number[] = [];
  for (const lines of pages) {
    for (let i = 1; i < lines.length; i++) {
      const [above, below] = [lines[i - 1]!, lines[i]!];
      const gap = above.y - below.y;
      if (gap > 0 && above.size === below.size && above.size > 0) ratios.push(gap / above.size);
    }
  }
  return Math.min(Math.max((median(ratios) ?? 1.2) * 1.3, 1.45), 2.2);
}

/** The font size that most characters of the document are set in. */
function bodySize(pages: readonly (readonly TextLine[])[]): number {
  const chars = new Map<number, number>();
  for (const line of pages.flat()) chars.set(line.size, (chars.get(line.size) ?? 0) + line.text.length);
  return [...chars].reduce((best, entry) => (entry[1] > best[1] ? entry : best), [0, -1])[0];
}

const MAX_HEADING_CHARS = 120;

function headingLevels(pages: readonly (readonly TextLine[])[], body: number): Map<number, number> {
  const sizes = new Set<number>();
  for (const line of pages.flat()) if (isHeadingCandidate(line, body)) sizes.add(line.size);
  const descending = [...sizes].sort((a, b) => b - a);
  return new Map(descending.map((size, i) => [size, Math.min(i + 1, 6)]));
}

// Dot leaders mark table-of-contents entries, which are set like headings but are not sections of the text.
const DOT_LEADER = /(?:\. ?){4,}/;

function isHeadingCandidate(line: TextLine, body: number): boolean {
  return (
    body > 0 &&
    line.size >= body * 1.2 &&
    line.text.length <= MAX_HEADING_CHARS &&
    /\p{L}/u.test(line.text) &&
    !/[.,;]$/.test(line.text) &&
    !DOT_LEADER.test(line.text)
  );
}

const EDGE_LINES = 2;
const MAX_RUNNING_CHARS = 100;
const PAGE_NUMBER = /^(?:page\s+)?(?:\d{1,5}|[ivx]{1,6})(?:\s*(?:of|\/)\s*\d{1,5})?$/i;

/** Running headers and footers sit at the same height on every page; their numbers change. */
function runningKey(line: TextLine): string {
  return `${Math.round(line.y / 2)}|${line.text.toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ').trim()}`;
}

/**
 * Drops running headers and footers: page numbers, and short lines at the top or bottom of a page that recur at the
 * same height (numbers aside) on at least half of the pages. They would otherwise land in the middle of chunks.
 */
export function withoutRunningLines(pages: readonly (readonly TextLine[])[]): TextLine[][] {
  const edges = (lines: readonly TextLine[]): TextLine[] => [...new Set([...lines.slice(0, EDGE_LINES), ...lines.slice(-EDGE_LINES)])];
  const recurring = new Map<string, number>();
  for (const lines of pages) {
    for (const key of new Set(edges(lines).map(runningKey))) recurring.set(key, (recurring.get(key) ?? 0) + 1);
  }
  const threshold = Math.max(3, pages.length / 2);
  const isRunning = (line: TextLine): boolean =>
    PAGE_NUMBER.test(line.text) || (line.text.length <= MAX_RUNNING_CHARS && (recurring.get(runningKey(line)) ?? 0) >= threshold);
  return pages.map((lines) => {
    const edge = new Set(edges(lines));
    return lines.filter((line) => !(edge.has(line) && isRunning(line)));
  });
}

/** Joins wrapped lines into one paragraph, undoing end-of-line hyphenation (`infor-` + `mation`). */
function joinLines(lines: readonly string[]): string {
  let text = '';
  for (const line of lines) {
    if (!text) text = line;
    else if (/\p{L}-$/u.test(text) && /^\p{Ll}/u.test(line)) text = text.slice(0, -1) + line;
    else text += ` ${line}`;
  }
  return text;
}

/** Blocks for all pages: a page block, then the page's headings and paragraphs in reading order. */
export function pdfPagesToBlocks(allPages: readonly (readonly TextLine[])[]): DocumentBlock[] {
  const pages = withoutRunningLines(allPages);
  const gap = paragraphGap(pages);
  const body = bodySize(pages);
  const levels = headingLevels(pages, body);
  const blocks: DocumentBlock[] = [];
  pages.forEach((lines, index) => {
    blocks.push({ kind: 'page', page: index + 1 });
    let paragraph: string[] = [];
    let heading: { level: number; lines: string[] } | undefined;
    let previous: TextLine | undefined;
    const flush = (): void => {
      if (heading) blocks.push({ kind: 'heading', level: heading.level, text: heading.lines.join(' ') });
      if (paragraph.length > 0) blocks.push({ kind: 'paragraph', text: joinLines(paragraph) });
      heading = undefined;
      paragraph = [];
    };
    for (const line of lines) {
      const level = isHeadingCandidate(line, body) ? levels.get(line.size) : undefined;
      const size = Math.max(line.size, previous?.size ?? 0, 1);
      const distance = previous ? previous.y - line.y : 0;
      const apart = previous !== undefined && (distance < -size * 0.5 || distance > size * gap);
      if (level !== undefined) {
        // A heading set over two lines stays one heading.
        if (heading && heading.level === level && !apart) heading.lines.push(line.text);
        else {
          flush();
          heading = { level, lines: [line.text] };
        }
      } else {
        if (heading || apart || (previous !== undefined && previous.size !== line.size)) flush();
        paragraph.push(line.text);
      }
      previous = line;
    }
    flush();
  });
  return blocks;
}

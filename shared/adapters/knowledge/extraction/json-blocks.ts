import type { DocumentBlock } from '../../../domain/knowledge/chunking.js';
import { failure, type ExtractedDocument, type ExtractionFailure } from './extraction-outcome.js';

/**
 * JSON flattened to `path.to.key: value` lines, so that every value is found together with the names that give it
 * meaning. Top-level keys holding objects or arrays become headings; under them, each child (an array element, a
 * nested object) is a paragraph of its own, and runs of plain values share one. Nulls and empty strings say nothing
 * and are left out.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Deeper than this, a subtree is written as compact JSON on one line instead of being flattened further. */
const MAX_DEPTH = 32;
/** Lines are packed into paragraphs of about this many characters so the chunker never cuts a line in two. */
const PARAGRAPH_CHARS = 800;

function isContainer(value: Json): value is Json[] | { [key: string]: Json } {
  return typeof value === 'object' && value !== null;
}

function entriesOf(value: Json[] | { [key: string]: Json }): [string, Json][] {
  return Array.isArray(value) ? value.map((v, i): [string, Json] => [`[${i}]`, v]) : Object.entries(value);
}

function join(path: string, key: string): string {
  if (!path) return key;
  return key.startsWith('[') ? `${path}${key}` : `${path}.${key}`;
}

function flatten(value: Json, path: string, out: string[], depth = 0): void {
  if (value === null || value === '') return;
  if (!isContainer(value)) {
    const text = typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : String(value);
    if (text) out.push(path ? `${path}: ${text}` : text);
    return;
  }
  if (depth >= MAX_DEPTH) {
    out.push(`${path}: ${JSON.stringify(value)}`);
    return;
  }
  for (const [key, child] of entriesOf(value)) flatten(child, join(path, key), out, depth + 1);
}

function pushLines(lines: readonly string[], blocks: DocumentBlock[]): void {
  let paragraph = '';
  for (const line of lines) {
    if (paragraph && paragraph.length + 1 + line.length > PARAGRAPH_CHARS) {
      blocks.push({ kind: 'paragraph', text: paragraph });
      paragraph = '';
    }
    paragraph = paragraph ? `${paragraph}\n${line}` : line;
  }
  if (paragraph) blocks.push({ kind: 'paragraph', text: paragraph });
}

/** Each container child its own paragraph(s); consecutive plain values together. */
function pushChildren(value: Json[] | { [key: string]: Json }, path: string, blocks: DocumentBlock[]): void {
  let plain: string[] = [];
  for (const [key, child] of entriesOf(value)) {
    const lines: string[] = [];
    flatten(child, join(path, key), lines, 1);
    if (isContainer(child)) {
      pushLines(plain, blocks);
      plain = [];
      pushLines(lines, blocks);
    } else {
      plain.push(...lines);
    }
  }
  pushLines(plain, blocks);
}

export function jsonToBlocks(text: string): ExtractedDocument | ExtractionFailure {
  let root: Json;
  try {
    root = JSON.parse(text.replace(/^\ufeff/, '')) as Json;
  } catch (err) {
    const reason = err instanceof Error ? err.message.slice(0, 200) : 'unreadable';
    return failure('CorruptDocument', `The JSON file is not valid JSON: ${reason}`);
  }
  const blocks: DocumentBlock[] = [];
  if (!isContainer(root)) {
    const lines: string[] = [];
    flatten(root, '', lines);
    pushLines(lines, blocks);
    return { blocks };
  }
  if (Array.isArray(root)) {
    pushChildren(root, '', blocks);
    return { blocks };
  }
  // Plain top-level values first: after a heading they would be read as part of that heading's section.
  const entries = Object.entries(root);
  const plain: string[] = [];
  for (const [key, value] of entries) if (!isContainer(value)) flatten(value, key, plain);
  pushLines(plain, blocks);
  for (const [key, value] of entries) {
    if (!isContainer(value)) continue;
    const children: DocumentBlock[] = [];
    pushChildren(value, key, children);
    // An empty object or array names nothing: no heading without content under it.
    if (children.length === 0) continue;
    blocks.push({ kind: 'heading', level: 1, text: key });
    for (const child of children) blocks.push(child);
  }
  return { blocks };
}

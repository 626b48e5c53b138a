import type { DocumentBlock } from '../../../domain/knowledge/chunking.js';
import type { ExtractionResult } from '../../../domain/knowledge/extraction.js';
import type { KnowledgeFailureCode, KnowledgeFileType } from '../../../domain/knowledge/file-types.js';
import { cleanText, hasWords } from './document-text.js';

export type ExtractionFailure = Extract<ExtractionResult, { ok: false }>;

export function failure(code: KnowledgeFailureCode, detail: string): ExtractionFailure {
  return { ok: false, code, detail };
}

const TYPE_NAMES: Readonly<Record<KnowledgeFileType, string>> = {
  pdf: 'PDF',
  docx: 'Word document',
  txt: 'text file',
  md: 'Markdown file',
  html: 'HTML page',
  csv: 'CSV file',
  json: 'JSON file',
  png: 'PNG image',
  jpeg: 'JPEG image',
};

export function typeName(type: KnowledgeFileType): string {
  return TYPE_NAMES[type];
}

export interface ExtractedDocument {
  readonly blocks: readonly DocumentBlock[];
  readonly pageCount?: number | undefined;
  readonly title?: string | undefined;
}

/**
 * Cleans every block, drops the empty ones, and decides whether anything is left to index. A document of headings
 * alone keeps its headings as paragraphs, since the chunker only makes chunks of paragraphs.
 */
export function finishExtraction(type: KnowledgeFileType, document: ExtractedDocument): ExtractionResult {
  const blocks: DocumentBlock[] = [];
  for (const block of document.blocks) {
    if (block.kind === 'page') {
      const last = blocks.at(-1);
      // A page without text leaves no mark: the next page's block replaces it.
      if (last?.kind === 'page') blocks[blocks.length - 1] = block;
      else blocks.push(block);
      continue;
    }
    const text = block.kind === 'heading' ? cleanText(block.text).replace(/\s*\n\s*/g, ' ') : cleanText(block.text);
    if (!hasWords(text)) continue;
    blocks.push(block.kind === 'heading' ? { kind: 'heading', level: Math.min(Math.max(1, block.level), 6), text } : { kind: 'paragraph', text });
  }
  if (blocks.at(-1)?.kind === 'page') blocks.pop();
  // In JSON the headings are key names, which do not name the document.
  const headingTitle = type === 'json' ? undefined : firstHeading(blocks);

  if (!blocks.some((b) => b.kind === 'paragraph')) {
    if (!blocks.some((b) => b.kind === 'heading')) {
      return failure('NoExtractableText', `The ${typeName(type)} contains no text that can be indexed.`);
    }
    blocks.forEach((b, i) => {
      if (b.kind === 'heading') blocks[i] = { kind: 'paragraph', text: b.text };
    });
  }
  const title = document.title === undefined ? undefined : cleanText(document.title).replace(/\s+/g, ' ');
  return {
    ok: true,
    blocks,
    pageCount: document.pageCount,
    title: title || headingTitle,
  };
}

function firstHeading(blocks: readonly DocumentBlock[]): string | undefined {
  const heading = blocks.find((b): b is Extract<DocumentBlock, { kind: 'heading' }> => b.kind === 'heading');
  return heading?.text;
}

import type { DocumentBlock } from '../../../domain/knowledge/chunking.js';
import { detectCsvDelimiter } from './csv-dialect.js';
import { loadCsvParse } from './document-libraries.js';
import { splitParagraphs } from './document-text.js';
import { failure, type ExtractedDocument, type ExtractionFailure } from './extraction-outcome.js';

/** Plain text: one paragraph per run of lines between blank lines; single line breaks are kept. */
export function plainTextToBlocks(text: string): ExtractedDocument {
  return { blocks: splitParagraphs(text).map((p): DocumentBlock => ({ kind: 'paragraph', text: p })) };
}

function columnNames(header: readonly string[], width: number): string[] {
  return Array.from({ length: width }, (_, i) => header[i]?.replace(/\s+/g, ' ').trim() || `column ${i + 1}`);
}

/**
 * CSV with its first row as the header: every other row becomes one paragraph of `header: value` pairs, so that a
 * row found by search reads on its own. Empty cells are left out; ragged rows are accepted (spreadsheet exports trim
 * trailing empty cells); an unclosed quote makes the file corrupt.
 */
export async function csvToBlocks(text: string): Promise<ExtractedDocument | ExtractionFailure> {
  const { parse } = await loadCsvParse();
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      delimiter: detectCsvDelimiter(text) ?? ',',
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/\s+/g, ' ').slice(0, 200) : 'unreadable';
    return failure('CorruptDocument', `The CSV file cannot be read: ${reason}`);
  }
  const [header = [], ...rows] = records;
  const width = rows.reduce((widest, row) => Math.max(widest, row.length), header.length);
  const names = columnNames(header, width);
  const blocks: DocumentBlock[] = [];
  for (const row of rows) {
    const pairs = row.flatMap((value, i) => (value.trim() ? [`${names[i]}: ${value.replace(/\s+/g, ' ').trim()}`] : []));
    if (pairs.length > 0) blocks.push({ kind: 'paragraph', text: pairs.join('; ') });
  }
  return { blocks };
}

/**
 * Which delimiter a CSV file uses, judged from its first lines: the candidate that appears in the header and the same
 * number of times (outside quotes) in most of the lines after it. Spreadsheets in many locales save `;`, exports from
 * databases often use tabs or `|`. Undefined means the text does not look like delimited rows at all.
 */

const CANDIDATES = [',', ';', '\t', '|'] as const;
export type CsvDelimiter = (typeof CANDIDATES)[number];

const SAMPLE_LINES = 50;
/** Share of the sampled rows that must have as many delimiters as the header. */
const AGREEMENT = 0.8;

function countOutsideQuotes(line: string, delimiter: string): number {
  let count = 0;
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === delimiter && !quoted) count++;
  }
  return count;
}

export function detectCsvDelimiter(text: string): CsvDelimiter | undefined {
  const lines = text
    .replace(/^\ufeff/, '')
    .split(/\r\n?|\n/, SAMPLE_LINES + 1)
    .filter((line) => line.trim().length > 0);
  const [header, ...rows] = lines;
  // A header alone is not evidence of rows; such a file is read as text.
  if (header === undefined || rows.length === 0) return undefined;
  let best: { delimiter: CsvDelimiter; columns: number } | undefined;
  for (const delimiter of CANDIDATES) {
    const columns = countOutsideQuotes(header, delimiter);
    if (columns === 0) continue;
    const agreeing = rows.filter((row) => countOutsideQuotes(row, delimiter) === columns).length;
    if (agreeing / rows.length < AGREEMENT) continue;
    if (best === undefined || columns > best.columns) best = { delimiter, columns };
  }
  return best?.delimiter;
}

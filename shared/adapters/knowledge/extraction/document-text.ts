/**
 * Text-level helpers shared by the extractors: decoding the bytes of plain-text formats, and the clean-up every
 * extracted string gets before it is chunked and indexed.
 */

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, i) => bytes[i] === byte);
}

/**
 * The text of a plain-text file, or undefined when the bytes are not text. UTF-8 (with or without a BOM) is the norm;
 * UTF-16 is accepted only with its BOM, because that is how Windows tools save "Unicode" text. A NUL in UTF-8 means a
 * binary file, even when every byte happens to be valid.
 */
export function decodeText(bytes: Uint8Array): string | undefined {
  try {
    if (startsWith(bytes, [0xff, 0xfe])) return new TextDecoder('utf-16le', { fatal: true }).decode(bytes.subarray(2));
    if (startsWith(bytes, [0xfe, 0xff])) return new TextDecoder('utf-16be', { fatal: true }).decode(bytes.subarray(2));
    const body = startsWith(bytes, UTF8_BOM) ? bytes.subarray(3) : bytes;
    if (body.includes(0)) return undefined;
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    return undefined;
  }
}

// C0 and C1 controls except tab, line feed, carriage return and form feed, plus the Unicode replacement and
// non-characters that decoders leave behind for broken bytes.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f\ufffe\uffff]/g;
const INVISIBLE = /[\u00ad\u200b-\u200d\u2060\ufeff]/g;
const HORIZONTAL_SPACE = /[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+/g;

/**
 * Text that cleanText would give back unchanged: printable ASCII and line feeds (ASCII is NFC and holds none of the
 * characters removed or replaced), no run of spaces, no space beside a line feed, no third line feed in a row, and
 * nothing to trim. Most blocks of most documents are like that, and one test is a fraction of seven passes.
 */
const NEEDS_CLEANING = /[^\x20-\x7e\n]| {2}| \n|\n |\n\n\n|^[ \n]|[ \n]$/;

/**
 * What every extracted string becomes: NFC, without control characters, soft hyphens or zero-width characters, with
 * runs of spaces collapsed, lines trimmed, and at most one blank line in a row.
 */
export function cleanText(text: string): string {
  if (!NEEDS_CLEANING.test(text)) return text;
  return text
    .normalize('NFC')
    .replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n')
    .replace(CONTROL, '')
    .replace(INVISIBLE, '')
    .replace(HORIZONTAL_SPACE, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** True when the text has at least one letter or digit: punctuation and rules alone are not extractable text. */
export function hasWords(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}

/** The paragraphs of plain text: runs of lines separated by blank lines. */
export function splitParagraphs(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t\f\v]*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

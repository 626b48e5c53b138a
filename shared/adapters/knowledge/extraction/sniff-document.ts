import type { SniffResult } from '../../../domain/knowledge/extraction.js';
import type { KnowledgeFileType } from '../../../domain/knowledge/file-types.js';
import { sniffMediaType } from '../../media/sniff-media-type.js';
import { compoundFileEntryNames, isEncryptedOfficePackage, isLegacyWordDocument } from './cfb-entries.js';
import { detectCsvDelimiter } from './csv-dialect.js';
import { decodeText } from './document-text.js';
import { looksLikeHtml } from './html-detection.js';
import { holdsWordDocument, isWordMainPart, localEntryNames, zipEntryNames } from './zip-entries.js';

const SUPPORTED = 'PDF, Word (.docx), plain text, Markdown, HTML, CSV, JSON, PNG or JPEG';

function unsupported(what: string): SniffResult {
  return { ok: false, code: 'UnsupportedMediaType', detail: `The file is ${what}; a knowledge base accepts ${SUPPORTED}.` };
}

function accepted(type: KnowledgeFileType): SniffResult {
  return { ok: true, type };
}

/** Formats file-type recognises that are text underneath but not readable as prose. */
const TEXT_BASED_FORMATS = new Set(['rtf', 'ps', 'eps', 'xml', 'vcf', 'ics']);

function extensionOf(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

// eslint-disable-next-line no-control-regex -- counting control characters is the point
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f]/g;

/** Valid text with more than 1% control characters is a binary format that happens to decode. */
function readableText(bytes: Uint8Array): string | undefined {
  const text = decodeText(bytes);
  if (text === undefined) return undefined;
  const sample = text.slice(0, 64 * 1024);
  const controls = sample.match(CONTROL)?.length ?? 0;
  return controls > sample.length / 100 ? undefined : text;
}

function parsesAsJsonContainer(text: string): boolean {
  const first = /\S/.exec(text)?.[0];
  if (first !== '{' && first !== '[') return false;
  try {
    JSON.parse(text.replace(/^\ufeff/, ''));
    return true;
  } catch {
    return false;
  }
}

function sniffText(text: string, extension: string): SniffResult {
  if (parsesAsJsonContainer(text)) return accepted('json');
  const html = looksLikeHtml(text);
  if (html === 'certainly') return accepted('html');
  if (extension === 'json') return accepted('json');
  if (extension === 'html' || extension === 'htm' || extension === 'xhtml') return accepted('html');
  if (extension === 'md' || extension === 'markdown' || extension === 'mdown' || extension === 'mkd') return accepted('md');
  if (html === 'probably') return accepted('html');
  if ((extension === 'csv' || extension === 'tsv') && detectCsvDelimiter(text) !== undefined) return accepted('csv');
  return accepted('txt');
}

/**
 * A zip is a Word document when its directory lists the package's content types and main document part. A truncated
 * upload has lost its directory: then what file-type saw, or the surviving local headers, tell what it was meant to
 * be, and extraction reports the damage as CorruptDocument.
 */
function sniffZip(bytes: Uint8Array, claimsWord: boolean): SniffResult {
  const names = zipEntryNames(bytes);
  if (names !== undefined) {
    if (holdsWordDocument(names)) return accepted('docx');
    return unsupported(claimsWord ? 'a zip archive that holds no Word document' : 'a zip archive (application/zip)');
  }
  if (claimsWord || localEntryNames(bytes).some(isWordMainPart)) return accepted('docx');
  return unsupported('a damaged zip archive');
}

function sniffCompoundFile(bytes: Uint8Array): SniffResult {
  const names = compoundFileEntryNames(bytes) ?? [];
  // Password-protected .docx files are CFB containers; extraction answers EncryptedDocument.
  if (isEncryptedOfficePackage(names)) return accepted('docx');
  if (isLegacyWordDocument(names)) return unsupported('a Word 97–2003 document (.doc); save it as .docx');
  return unsupported('a legacy Office file (OLE compound file)');
}

/**
 * What a landed knowledge file is. Signatures decide first (a PNG named `.pdf` is a PNG); text is judged by its
 * content (JSON that parses, HTML markup) and only then by its name (Markdown, CSV, plain text).
 */
export async function sniffDocument(bytes: Uint8Array, fileName: string): Promise<SniffResult> {
  const found = await sniffMediaType(bytes);
  const extension = extensionOf(fileName);
  if (found === undefined) {
    const text = readableText(bytes);
    return text === undefined ? unsupported('binary data of an unrecognised format') : sniffText(text, extension);
  }
  switch (found.extension) {
    case 'pdf':
      return accepted('pdf');
    case 'png':
    case 'apng':
      return accepted('png');
    case 'jpg':
      return accepted('jpeg');
    case 'docx':
      return sniffZip(bytes, true);
    case 'zip':
      return sniffZip(bytes, false);
    case 'cfb':
      return sniffCompoundFile(bytes);
    default: {
      if (TEXT_BASED_FORMATS.has(found.extension)) {
        const text = found.extension === 'xml' ? readableText(bytes) : undefined;
        return text !== undefined && looksLikeHtml(text) !== 'no' ? accepted('html') : unsupported(`${found.mimeType} (.${found.extension})`);
      }
      // Short signatures (`MZ`, `ID3`) also start ordinary sentences: real binaries of those formats hold NULs.
      const text = readableText(bytes);
      if (text !== undefined) return sniffText(text, extension);
      return unsupported(`${found.mimeType} (.${found.extension})`);
    }
  }
}

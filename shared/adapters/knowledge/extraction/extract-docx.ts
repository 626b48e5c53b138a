import { compoundFileEntryNames, isCompoundFile, isEncryptedOfficePackage } from './cfb-entries.js';
import { loadMammoth } from './document-libraries.js';
import { failure, type ExtractedDocument, type ExtractionFailure } from './extraction-outcome.js';
import { htmlToBlocks } from './html-blocks.js';
import { zipEntries } from './zip-entries.js';

/**
 * Word documents through mammoth, which maps paragraph styles to HTML (Heading 1–6 to h1–h6, lists, tables); the HTML
 * is then read like any page. Images are left out: mammoth would otherwise inline each one as base64.
 */

/**
 * The most the XML parts of a package may expand to. A long manual's document.xml is tens of MB; more than this is a
 * zip bomb, which would exhaust memory when mammoth inflates it. Media are not counted: mammoth leaves them packed.
 */
const MAX_EXPANDED_XML_BYTES = 256 * 1024 * 1024;

function expandsTooFar(bytes: Uint8Array): boolean {
  const entries = zipEntries(bytes) ?? [];
  const xml = entries.filter((e) => !e.name.startsWith('word/media/')).reduce((sum, e) => sum + e.uncompressedSize, 0);
  return xml > MAX_EXPANDED_XML_BYTES;
}

// Title and Subtitle are headings in all but name; mammoth's default map leaves them as paragraphs.
const STYLE_MAP = ["p[style-name='Title'] => h1:fresh", "p[style-name='Subtitle'] => h2:fresh"];

export async function extractDocx(bytes: Uint8Array): Promise<ExtractedDocument | ExtractionFailure> {
  if (isCompoundFile(bytes)) {
    // Word saves a password-protected .docx as an OLE container holding the encrypted package.
    return isEncryptedOfficePackage(compoundFileEntryNames(bytes) ?? [])
      ? failure('EncryptedDocument', 'The Word document is protected by a password; upload a copy that opens without one.')
      : failure('CorruptDocument', 'The file is an OLE container, not a Word (.docx) package.');
  }
  if (expandsTooFar(bytes)) {
    return failure('CorruptDocument', 'The Word document expands to far more text than any real document holds, and is not read.');
  }
  const mammoth = await loadMammoth();
  let html: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      {
        styleMap: STYLE_MAP,
        ignoreEmptyParagraphs: true,
        convertImage: mammoth.images.imgElement(() => Promise.resolve({ src: '' })),
      },
    );
    html = result.value;
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/\s+/g, ' ').slice(0, 200) : 'unreadable package';
    return failure('CorruptDocument', `The Word document is damaged and cannot be read (${reason}).`);
  }
  return htmlToBlocks(html);
}

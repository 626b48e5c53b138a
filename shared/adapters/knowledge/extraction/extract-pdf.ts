import type * as Unpdf from 'unpdf';
import { loadUnpdf } from './document-libraries.js';
import { failure, type ExtractedDocument, type ExtractionFailure } from './extraction-outcome.js';
import { linesOf, pdfPagesToBlocks, type PositionedText, type TextLine } from './pdf-layout.js';

/**
 * PDF text with PDF.js (the build unpdf ships, which runs without a worker thread), page by page so that every
 * chunk keeps its page number. A PDF that needs a password to open is EncryptedDocument; one that only restricts
 * printing or copying (an owner password) opens and is read like any other.
 */

type PdfDocument = Awaited<ReturnType<typeof Unpdf.getDocumentProxy>>;
type PdfPage = Awaited<ReturnType<PdfDocument['getPage']>>;
type TextContentItem = Awaited<ReturnType<PdfPage['getTextContent']>>['items'][number];

function isPasswordError(err: unknown): boolean {
  return err instanceof Error && err.name === 'PasswordException';
}

function reasonOf(err: unknown): string {
  return err instanceof Error && err.message ? err.message.replace(/\s+/g, ' ').slice(0, 200) : 'unreadable structure';
}

function unreadable(err: unknown, where: string): ExtractionFailure {
  if (isPasswordError(err)) {
    return failure('EncryptedDocument', 'The PDF is protected by a password; upload a copy that opens without one.');
  }
  return failure('CorruptDocument', `The PDF is damaged and cannot be read (${where}: ${reasonOf(err)}).`);
}

function positioned(item: TextContentItem): PositionedText | undefined {
  if (!('str' in item)) return undefined;
  // transform is [a, b, c, d, x, y]: the font size is the length of the vertical axis (c, d).
  const [, , c = 0, d = 0, x = 0, y = 0] = item.transform as number[];
  return { text: item.str, x, y, width: item.width, size: Math.hypot(c, d) || item.height, endOfLine: item.hasEOL };
}

async function pageLines(pdf: PdfDocument, pageNumber: number): Promise<TextLine[]> {
  const page = await pdf.getPage(pageNumber);
  try {
    const content = await page.getTextContent();
    return linesOf(content.items.flatMap((item) => positioned(item) ?? []));
  } finally {
    page.cleanup();
  }
}

async function titleOf(pdf: PdfDocument): Promise<string | undefined> {
  try {
    const { info } = await pdf.getMetadata();
    const title = (info as Record<string, unknown> | undefined)?.['Title'];
    return typeof title === 'string' && title.trim() ? title : undefined;
  } catch {
    // Metadata is optional; a broken Info dictionary does not make the text unreadable.
    return undefined;
  }
}

export async function extractPdf(bytes: Uint8Array): Promise<ExtractedDocument | ExtractionFailure> {
  const { getDocumentProxy } = await loadUnpdf();
  let pdf: PdfDocument;
  try {
    // PDF.js takes ownership of the buffer it is given, so it gets a copy. Eval stays off: fonts are data, not code.
    pdf = await getDocumentProxy(new Uint8Array(bytes), {
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      verbosity: 0,
    });
  } catch (err) {
    return unreadable(err, 'opening the file');
  }
  try {
    const pages: TextLine[][] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      try {
        pages.push(await pageLines(pdf, n));
      } catch (err) {
        return unreadable(err, `page ${n}`);
      }
    }
    return { blocks: pdfPagesToBlocks(pages), pageCount: pdf.numPages, title: await titleOf(pdf) };
  } finally {
    await pdf.destroy();
  }
}

import type { DocumentExtractor, ExtractionResult } from '../../../domain/knowledge/extraction.js';
import { KNOWLEDGE_SIZE_LIMITS, type KnowledgeFileType } from '../../../domain/knowledge/file-types.js';
import type { VisionDescriber } from '../../../domain/knowledge/vision.js';
import { decodeText } from './document-text.js';
import { extractDocx } from './extract-docx.js';
import { extractImage } from './extract-image.js';
import { extractPdf } from './extract-pdf.js';
import { failure, finishExtraction, typeName, type ExtractedDocument, type ExtractionFailure } from './extraction-outcome.js';
import { htmlToBlocks } from './html-blocks.js';
import { jsonToBlocks } from './json-blocks.js';
import { markdownToBlocks } from './markdown-blocks.js';
import { sniffDocument } from './sniff-document.js';
import { csvToBlocks, plainTextToBlocks } from './structured-text-blocks.js';

export interface DocumentExtractorOptions {
  /** Reads text from png and jpeg files; without it they fail with VisionNotConfigured. */
  readonly vision?: VisionDescriber | undefined;
}

const MiB = 1024 * 1024;

async function extractText(
  bytes: Uint8Array,
  type: 'txt' | 'md' | 'html' | 'csv' | 'json',
): Promise<ExtractedDocument | ExtractionFailure> {
  const text = decodeText(bytes);
  if (text === undefined) return failure('CorruptDocument', `The ${typeName(type)} is not valid UTF-8 text.`);
  switch (type) {
    case 'txt':
      return plainTextToBlocks(text);
    case 'md':
      return markdownToBlocks(text);
    case 'html':
      return htmlToBlocks(text);
    case 'csv':
      return csvToBlocks(text);
    case 'json':
      return jsonToBlocks(text);
  }
}

/**
 * The document extractor: sniffing by signature and content, then text extraction with maintained libraries (PDF.js
 * through unpdf, mammoth, htmlparser2, marked, csv-parse), each imported on first use. Failures a user can act on
 * are answers with a code; errors (a library that does not load, a vision deployment that keeps failing) are thrown.
 */
export function createDocumentExtractor(options: DocumentExtractorOptions = {}): DocumentExtractor {
  return {
    sniff: (bytes, fileName) => sniffDocument(bytes, fileName),

    async extract(bytes: Uint8Array, type: KnowledgeFileType): Promise<ExtractionResult> {
      const limit = KNOWLEDGE_SIZE_LIMITS[type];
      if (bytes.byteLength > limit) {
        const kind = typeName(type);
        const detail = `${kind[0]!.toUpperCase()}${kind.slice(1)}s may be at most ${limit / MiB} MB; this file has ${bytes.byteLength.toLocaleString('en-US')} bytes.`;
        return failure('FileTooLarge', detail);
      }
      let extracted: ExtractedDocument | ExtractionFailure;
      switch (type) {
        case 'pdf':
          extracted = await extractPdf(bytes);
          break;
        case 'docx':
          extracted = await extractDocx(bytes);
          break;
        case 'png':
        case 'jpeg':
          extracted = await extractImage(bytes, type, options.vision);
          break;
        default:
          extracted = await extractText(bytes, type);
      }
      return 'ok' in extracted ? extracted : finishExtraction(type, extracted);
    },
  };
}

import type { DocumentBlock } from './chunking.js';
import type { KnowledgeFailureCode, KnowledgeFileType } from './file-types.js';

/** What the bytes of a landed file are, judged from the bytes (and, for plain-text formats, the name). */
export type SniffResult =
  | { readonly ok: true; readonly type: KnowledgeFileType }
  | { readonly ok: false; readonly code: 'UnsupportedMediaType'; readonly detail: string };

export type ExtractionResult =
  | {
      readonly ok: true;
      /** Headings, paragraphs and page starts, in reading order, for chunkDocument. */
      readonly blocks: readonly DocumentBlock[];
      readonly pageCount?: number | undefined;
      readonly title?: string | undefined;
    }
  | { readonly ok: false; readonly code: KnowledgeFailureCode; readonly detail: string };

/**
 * Turns a landed knowledge file into structured text. Text formats and documents are read with maintained libraries;
 * images go through an Azure OpenAI vision deployment, or fail with VisionNotConfigured when none is configured.
 */
export interface DocumentExtractor {
  /** `fileName` helps only where bytes cannot tell (txt vs md vs csv); the bytes decide everything else. */
  sniff(bytes: Uint8Array, fileName: string): Promise<SniffResult>;
  extract(bytes: Uint8Array, type: KnowledgeFileType): Promise<ExtractionResult>;
}

import { describeBytes } from '../media/media-checks.js';
import { KNOWLEDGE_FILE_TYPES, type KnowledgeFailureCode, type KnowledgeFileType } from './file-types.js';
import type { KnowledgeFileSource } from './knowledge-file.js';

/** What is known about the file when it fails, for a message that names the numbers. */
export interface FailureFacts {
  readonly type?: KnowledgeFileType | undefined;
  readonly size?: number | undefined;
  readonly limit?: number | undefined;
  /** How the bytes were to arrive: the advice for an expired upload depends on it. */
  readonly source?: KnowledgeFileSource['kind'] | undefined;
}

/**
 * The sentence recorded with each failure code: what went wrong and what to do, in the user's terms. Written here and
 * not taken from the extraction libraries, whose messages are internals.
 */
export function knowledgeFailureMessage(code: KnowledgeFailureCode, facts: FailureFacts = {}): string {
  switch (code) {
    case 'UnsupportedMediaType':
      return `The file is not in a supported format (${KNOWLEDGE_FILE_TYPES.join(', ')}); the format is judged from the content, not the name.`;
    case 'FileTooLarge':
      if (facts.type !== undefined && facts.size !== undefined && facts.limit !== undefined) {
        return `The ${facts.type} file is ${describeBytes(facts.size)}; ${facts.type} files may be at most ${describeBytes(facts.limit)}.`;
      }
      return facts.limit === undefined
        ? 'The file is larger than the limit for its format.'
        : `The file is larger than ${describeBytes(facts.limit)}, the largest any knowledge file may be.`;
    case 'EncryptedDocument':
      return 'The document is password-protected or encrypted; upload a copy without protection.';
    case 'CorruptDocument':
      return 'The document is damaged or incomplete and could not be read; export it again and upload the new copy.';
    case 'NoExtractableText':
      return 'No text was found in the file (an empty document, or a scan without a text layer).';
    case 'VisionNotConfigured':
      return 'Text can be read from images only through an Azure OpenAI vision deployment, and none is configured.';
    case 'UrlNotAllowed':
      return 'The URL is not allowed: it must be a public https:// address.';
    case 'UrlUnreachable':
      return 'The file could not be fetched from its URL; check that the URL is public and answers, then add the file again.';
    case 'EmbeddingFailed':
      return "The embedding deployment could not embed the file's text; add the file again, and check the Azure OpenAI embedding deployment if it keeps failing.";
    case 'IngestionFailed':
      return 'The file could not be processed after several tries; add it again, and contact support if it keeps failing.';
    case 'UploadExpired':
      switch (facts.source) {
        case 'url':
          return 'The file was never fetched from its URL (the fetch did not complete in time); add the file again.';
        case 'multipart':
          return 'The upload of the file did not complete; send the file again.';
        default:
          return 'The file was not uploaded before its upload URL expired; request a new upload URL and upload the file again.';
      }
  }
}

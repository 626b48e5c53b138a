/**
 * The knowledge file formats and their size limits (API.md, Knowledge and FAQs): pdf and docx up to 50 MB; txt, md,
 * html, csv and json up to 10 MB; png and jpeg up to 10 MB (text from images needs an Azure OpenAI vision deployment).
 */

export const KNOWLEDGE_FILE_TYPES = ['pdf', 'docx', 'txt', 'md', 'html', 'csv', 'json', 'png', 'jpeg'] as const;
export type KnowledgeFileType = (typeof KNOWLEDGE_FILE_TYPES)[number];

const MiB = 1024 * 1024;

export const KNOWLEDGE_SIZE_LIMITS: Readonly<Record<KnowledgeFileType, number>> = {
  pdf: 50 * MiB,
  docx: 50 * MiB,
  txt: 10 * MiB,
  md: 10 * MiB,
  html: 10 * MiB,
  csv: 10 * MiB,
  json: 10 * MiB,
  png: 10 * MiB,
  jpeg: 10 * MiB,
};

/** The largest file of any type; an upload above this is refused before its type is known. */
export const MAX_KNOWLEDGE_FILE_BYTES = Math.max(...Object.values(KNOWLEDGE_SIZE_LIMITS));

export const KNOWLEDGE_CONTENT_TYPES: Readonly<Record<KnowledgeFileType, string>> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  txt: 'text/plain',
  md: 'text/markdown',
  html: 'text/html',
  csv: 'text/csv',
  json: 'application/json',
  png: 'image/png',
  jpeg: 'image/jpeg',
};

/** Why a knowledge file failed; recorded on the file as `failureReason` with a sentence for people. */
export const KNOWLEDGE_FAILURE_CODES = [
  'UnsupportedMediaType',
  'FileTooLarge',
  'EncryptedDocument',
  'CorruptDocument',
  'NoExtractableText',
  'VisionNotConfigured',
  'UrlNotAllowed',
  'UrlUnreachable',
  'EmbeddingFailed',
  'IngestionFailed',
  'UploadExpired',
] as const;
export type KnowledgeFailureCode = (typeof KNOWLEDGE_FAILURE_CODES)[number];

import { z } from 'zod';
import type { KnowledgeFailureCode, KnowledgeFileType } from './file-types.js';

/**
 * One document of a knowledge base: recorded when it is added (by URL, multipart upload or upload URL), landed in the
 * knowledge container, then checked, extracted, chunked and indexed by the blob-triggered ingest.
 */

/** `uploading → processing → ready | failed` (API.md). `uploading` lasts until the bytes land in storage. */
export const knowledgeFileStatusSchema = z.enum(['uploading', 'processing', 'ready', 'failed']);
export type KnowledgeFileStatus = z.infer<typeof knowledgeFileStatusSchema>;

/** How the bytes arrive: fetched from a URL by the backend, sent in the request, or PUT to an upload URL. */
export type KnowledgeFileSource =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'multipart' }
  | { readonly kind: 'uploadUrl' };

export const knowledgeSummarySchema = z.string().trim().min(1).max(4000);

export interface KnowledgeFile {
  readonly id: string;
  readonly projectId: string;
  readonly orgId: string;
  readonly baseId: string;
  /** The client's name for the file (or the URL's last segment): for people, never trusted for the type. */
  readonly originalName: string;
  /** Declared until the ingest sniffs the bytes, then the sniffed type's media type. */
  readonly contentType: string;
  /** Bytes: declared until the file lands, then measured. */
  readonly size: number;
  readonly source: KnowledgeFileSource;
  readonly status: KnowledgeFileStatus;
  readonly failureReason?: KnowledgeFailureCode | undefined;
  /** A sentence for people saying what went wrong and what to do. */
  readonly failureMessage?: string | undefined;
  readonly type?: KnowledgeFileType | undefined;
  readonly pageCount?: number | undefined;
  readonly chunkCount: number;
  readonly summary?: string | undefined;
  /** An override set through the API survives re-ingestion; a generated summary is replaced by the next one. */
  readonly summarySource?: 'generated' | 'override' | undefined;
  /** The embedding deployment the chunks were embedded with, when they were. */
  readonly embeddingModel?: string | undefined;
  /**
   * The ETag of the landed blob version the status describes (internal). A trigger for that version again is a repeat;
   * a trigger for another version is a re-upload and ingests afresh.
   */
  readonly sourceEtag?: string | undefined;
  /** Set when a DELETE started (internal): the file is gone for clients, and a retried DELETE finishes the cascade. */
  readonly deletingSince?: string | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly etag: string;
}

export type NewKnowledgeFile = Omit<KnowledgeFile, 'etag'>;

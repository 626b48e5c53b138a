import type { KnowledgeFailureCode, KnowledgeFileType } from './file-types.js';
import { fileCountOf, type KnowledgeBase, type KnowledgeProvider } from './knowledge-base.js';
import type { KnowledgeFile, KnowledgeFileStatus } from './knowledge-file.js';

/** A knowledge base as clients see it: no slots, no deletion marks. */
export interface KnowledgeBaseView {
  readonly id: string;
  readonly name: string;
  readonly provider: KnowledgeProvider;
  readonly fileCount: number;
  readonly created: string;
  readonly updated: string;
  readonly etag: string;
}

export function knowledgeBaseViewOf(base: KnowledgeBase): KnowledgeBaseView {
  return {
    id: base.id,
    name: base.name,
    provider: base.provider,
    fileCount: fileCountOf(base),
    created: base.created,
    updated: base.updated,
    etag: base.etag,
  };
}

/** A knowledge file as clients see it: the URL it came from and the blob bookkeeping stay internal. */
export interface KnowledgeFileView {
  readonly id: string;
  readonly knowledgeBaseId: string;
  readonly originalName: string;
  readonly contentType: string;
  readonly size: number;
  readonly type: KnowledgeFileType | null;
  readonly status: KnowledgeFileStatus;
  readonly failureReason: KnowledgeFailureCode | null;
  readonly failureMessage: string | null;
  readonly summary: string | null;
  readonly summarySource: 'generated' | 'override' | null;
  readonly chunkCount: number;
  readonly pageCount: number | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly etag: string;
}

export function knowledgeFileViewOf(file: KnowledgeFile): KnowledgeFileView {
  return {
    id: file.id,
    knowledgeBaseId: file.baseId,
    originalName: file.originalName,
    contentType: file.contentType,
    size: file.size,
    type: file.type ?? null,
    status: file.status,
    failureReason: file.failureReason ?? null,
    failureMessage: file.failureMessage ?? null,
    summary: file.summary ?? null,
    summarySource: file.summarySource ?? null,
    chunkCount: file.chunkCount,
    pageCount: file.pageCount ?? null,
    createdAt: file.createdAt,
    updatedAt: file.updatedAt,
    etag: file.etag,
  };
}

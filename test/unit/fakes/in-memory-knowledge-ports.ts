import type { DocumentBlock } from '../../../shared/domain/knowledge/chunking.js';
import type { EmbeddingClient } from '../../../shared/domain/knowledge/embeddings.js';
import type { DocumentExtractor, ExtractionResult, SniffResult } from '../../../shared/domain/knowledge/extraction.js';
import type { KnowledgeFileType } from '../../../shared/domain/knowledge/file-types.js';
import type { KnowledgeBase, NewKnowledgeBase } from '../../../shared/domain/knowledge/knowledge-base.js';
import type { KnowledgeBaseRepository } from '../../../shared/domain/knowledge/knowledge-base-repository.js';
import type { KnowledgeFile, NewKnowledgeFile } from '../../../shared/domain/knowledge/knowledge-file.js';
import type { KnowledgeFileFetchJob, KnowledgeFileFetchQueue } from '../../../shared/domain/knowledge/knowledge-file-fetch-job.js';
import type { KnowledgeFileRepository } from '../../../shared/domain/knowledge/knowledge-file-repository.js';
import type { KnowledgeFileStore } from '../../../shared/domain/knowledge/knowledge-file-store.js';
import type { IndexedChunk, KnowledgeIndex, KnowledgeSearch, SearchHit } from '../../../shared/domain/knowledge/knowledge-index.js';
import { Bm25Index } from '../../../shared/domain/knowledge/lexical.js';
import type { Page, PageRequest } from '../../../shared/domain/page.js';
import { Table } from './in-memory-ports.js';

function pageOf<T>(all: T[], page: PageRequest): Page<T> {
  const start = page.pageIndex * page.pageSize;
  return { items: all.slice(start, start + page.pageSize), filteredCount: all.length, totalCount: all.length, pageIndex: page.pageIndex, pageSize: page.pageSize };
}

export class InMemoryKnowledgeBaseRepository implements KnowledgeBaseRepository {
  readonly table = new Table<KnowledgeBase>();
  private keyOf(projectId: string, baseId: string) {
    return `${projectId}|${baseId}`;
  }
  async get(projectId: string, baseId: string) {
    return this.table.get(this.keyOf(projectId, baseId));
  }
  async list(projectId: string, page: PageRequest) {
    const all = this.table
      .values()
      .filter((b) => b.projectId === projectId && b.deletingSince === undefined)
      .sort((a, b) => b.created.localeCompare(a.created));
    return pageOf(all, page);
  }
  async listDeletingIds(projectId: string) {
    return this.table
      .values()
      .filter((b) => b.projectId === projectId && b.deletingSince !== undefined)
      .map((b) => b.id);
  }
  async create(base: NewKnowledgeBase) {
    return this.table.create(this.keyOf(base.projectId, base.id), base);
  }
  async replace(base: KnowledgeBase) {
    return this.table.replace(this.keyOf(base.projectId, base.id), base);
  }
  async delete(projectId: string, baseId: string, expectedEtag?: string) {
    this.table.delete(this.keyOf(projectId, baseId), expectedEtag);
  }
}

export class InMemoryKnowledgeFileRepository implements KnowledgeFileRepository {
  readonly table = new Table<KnowledgeFile>();
  private keyOf(baseId: string, fileId: string) {
    return `${baseId}|${fileId}`;
  }
  async get(projectId: string, baseId: string, fileId: string) {
    const file = this.table.get(this.keyOf(baseId, fileId));
    return file?.projectId === projectId ? file : undefined;
  }
  async list(projectId: string, baseId: string, page: PageRequest) {
    const all = (await this.listAll(projectId, baseId)).filter((f) => f.deletingSince === undefined).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return pageOf(all, page);
  }
  async listAll(projectId: string, baseId: string) {
    return this.table.values().filter((f) => f.projectId === projectId && f.baseId === baseId);
  }
  async listUploadingCreatedBefore(createdBefore: string) {
    return this.table.values().filter((f) => f.status === 'uploading' && f.deletingSince === undefined && f.createdAt < createdBefore);
  }
  async create(file: NewKnowledgeFile) {
    return this.table.create(this.keyOf(file.baseId, file.id), file);
  }
  async replace(file: KnowledgeFile) {
    return this.table.replace(this.keyOf(file.baseId, file.id), file);
  }
  async delete(_projectId: string, baseId: string, fileId: string, expectedEtag?: string) {
    this.table.delete(this.keyOf(baseId, fileId), expectedEtag);
  }
}

/** Files by blob path with a version counter as their ETag, enough for conditional deletes and re-uploads. */
export class InMemoryKnowledgeFileStore implements KnowledgeFileStore {
  readonly files = new Map<string, { bytes: Uint8Array; contentType: string; etag: string }>();
  private version = 0;
  failing = false;

  async write(blobPath: string, bytes: Uint8Array, contentType: string) {
    if (this.failing) throw new Error('storage unavailable');
    this.version += 1;
    this.files.set(blobPath, { bytes, contentType, etag: `"0x${this.version}"` });
  }
  async uploadUrl(blobPath: string, expiresAt: Date) {
    return `https://storage.test/knowledge/${blobPath}?se=${encodeURIComponent(expiresAt.toISOString())}&sp=cw&sig=test`;
  }
  async landedVersion(blobPath: string) {
    return this.files.get(blobPath)?.etag.replace(/"/g, '');
  }
  async deleteVersion(blobPath: string, etag: string) {
    if (this.files.get(blobPath)?.etag.replace(/"/g, '') === etag.replace(/"/g, '')) this.files.delete(blobPath);
  }
  async deleteFolder(prefix: string) {
    let deleted = 0;
    for (const name of [...this.files.keys()]) {
      if (name.startsWith(prefix)) {
        this.files.delete(name);
        deleted += 1;
      }
    }
    return deleted;
  }
}

export class RecordingKnowledgeFetchQueue implements KnowledgeFileFetchQueue {
  readonly jobs: KnowledgeFileFetchJob[] = [];
  failing = false;
  async enqueue(job: KnowledgeFileFetchJob) {
    if (this.failing) throw new Error('queue unavailable');
    this.jobs.push(structuredClone(job));
  }
}

/** Every chunk in a map, searched by BM25 alone: the contract tests of the real indexes live with them. */
export class InMemoryKnowledgeIndex implements KnowledgeIndex {
  readonly chunks = new Map<string, IndexedChunk>();
  async replaceFileChunks(_projectId: string, baseId: string, fileId: string, chunks: readonly IndexedChunk[]) {
    for (const [id, chunk] of this.chunks) if (chunk.baseId === baseId && chunk.fileId === fileId) this.chunks.delete(id);
    for (const chunk of chunks) this.chunks.set(chunk.id, structuredClone(chunk));
  }
  async deleteFile(_projectId: string, baseId: string, fileId: string) {
    for (const [id, chunk] of this.chunks) if (chunk.baseId === baseId && chunk.fileId === fileId) this.chunks.delete(id);
  }
  async deleteBase(_projectId: string, baseId: string) {
    for (const [id, chunk] of this.chunks) if (chunk.baseId === baseId) this.chunks.delete(id);
  }
  async search(request: KnowledgeSearch): Promise<SearchHit[]> {
    const index = new Bm25Index();
    for (const chunk of this.chunks.values()) {
      if (chunk.projectId === request.projectId && chunk.baseId === request.baseId) index.add({ id: chunk.id, text: chunk.text });
    }
    return index.search(request.query, request.top).map(({ id, score }) => {
      const chunk = this.chunks.get(id)!;
      return { chunkId: id, fileId: chunk.fileId, text: chunk.text, page: chunk.page, section: chunk.section, score };
    });
  }
  ofFile(fileId: string): IndexedChunk[] {
    return [...this.chunks.values()].filter((c) => c.fileId === fileId).sort((a, b) => a.index - b.index);
  }
}

/**
 * txt and md only, enough to drive the ingest without the document libraries: valid UTF-8 without NUL bytes is text
 * (md by its name), anything else is unsupported; markdown `#` lines become headings, blank lines split paragraphs.
 */
export const plainTextExtractor: DocumentExtractor = {
  async sniff(bytes: Uint8Array, fileName: string): Promise<SniffResult> {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return { ok: false, code: 'UnsupportedMediaType', detail: 'not UTF-8 text' };
    }
    if (text.includes('\u0000')) return { ok: false, code: 'UnsupportedMediaType', detail: 'binary' };
    const type: KnowledgeFileType = /\.(md|markdown)$/i.test(fileName) ? 'md' : 'txt';
    return { ok: true, type };
  },
  async extract(bytes: Uint8Array, type: KnowledgeFileType): Promise<ExtractionResult> {
    const text = new TextDecoder().decode(bytes);
    const blocks: DocumentBlock[] = [];
    for (const part of text.split(/\n\s*\n/)) {
      const trimmed = part.trim();
      if (trimmed === '') continue;
      const heading = type === 'md' ? /^(#{1,6})\s+(.*)$/.exec(trimmed) : null;
      if (heading) blocks.push({ kind: 'heading', level: heading[1]!.length, text: heading[2]! });
      else blocks.push({ kind: 'paragraph', text: trimmed });
    }
    return { ok: true, blocks };
  },
};

/** Deterministic vectors (letter counts), so tests can see that chunks and queries were embedded. */
export class CountingEmbeddingClient implements EmbeddingClient {
  readonly model = 'test-embedding';
  readonly dimensions = 26;
  calls = 0;
  failWith: Error | undefined;
  async embed(texts: readonly string[]) {
    this.calls += 1;
    if (this.failWith !== undefined) throw this.failWith;
    return texts.map((text) => {
      const vector = new Array<number>(26).fill(0);
      for (const ch of text.toLowerCase()) {
        const code = ch.charCodeAt(0) - 97;
        if (code >= 0 && code < 26) vector[code] = (vector[code] ?? 0) + 1;
      }
      return vector;
    });
  }
}

import { unquoteEtag } from '../domain/etag.js';
import { DEFAULT_CHUNKING, chunkDocument, type Chunk } from '../domain/knowledge/chunking.js';
import { EmbeddingFailedError } from '../domain/knowledge/embedding-failure.js';
import type { EmbeddingClient } from '../domain/knowledge/embeddings.js';
import { extractiveSummary } from '../domain/knowledge/extractive-summarizer.js';
import type { DocumentExtractor } from '../domain/knowledge/extraction.js';
import { KNOWLEDGE_CONTENT_TYPES, KNOWLEDGE_SIZE_LIMITS, type KnowledgeFailureCode, type KnowledgeFileType } from '../domain/knowledge/file-types.js';
import type { KnowledgeBaseRepository } from '../domain/knowledge/knowledge-base-repository.js';
import { knowledgeFailureMessage, type FailureFacts } from '../domain/knowledge/knowledge-failure-messages.js';
import type { KnowledgeFile } from '../domain/knowledge/knowledge-file.js';
import {
  ingesting,
  landingDecision,
  uploadExpired,
  withIngestAbandoned,
  withIngestFailed,
  withProcessing,
  withReady,
  type FileFailure,
} from '../domain/knowledge/knowledge-file-lifecycle.js';
import type { KnowledgeFileStore } from '../domain/knowledge/knowledge-file-store.js';
import type { IndexedChunk, KnowledgeIndex } from '../domain/knowledge/knowledge-index.js';
import { knowledgeFileRefOf, knowledgeSourcePath, type KnowledgeFileRef } from '../domain/knowledge/knowledge-paths.js';
import type { Summarizer } from '../domain/knowledge/summarizer.js';
import type { Logger } from '../domain/logger.js';
import { METRIC_NAMES, type Metrics } from '../domain/metrics.js';
import type { KnowledgeFileRecords } from './knowledge-file-records.js';

export interface KnowledgeIngestDeps {
  readonly knowledgeBases: KnowledgeBaseRepository;
  readonly knowledgeStore: KnowledgeFileStore;
  readonly knowledgeIndex: KnowledgeIndex;
  readonly documentExtractor: DocumentExtractor;
  /** The platform's embedding deployment; without one the index is lexical only. */
  readonly embeddings: EmbeddingClient | undefined;
  /** The chat deployment's summaries; without one (or when it fails) summaries are extractive. */
  readonly summarizer: Summarizer | undefined;
  readonly records: KnowledgeFileRecords;
  readonly logger: Logger;
  /** Records each ingest's duration (knowledge.ingest_ms) by outcome. */
  readonly metrics?: Metrics | undefined;
}

/** A landed file as its blob trigger delivers it: the names bound from its path, its bytes and their ETag. */
export interface LandedKnowledgeFile extends KnowledgeFileRef {
  readonly bytes: Uint8Array;
  readonly etag: string;
}

/** What an ingest did; returned for logs and tests. */
export type KnowledgeIngestOutcome = 'ready' | 'failed' | 'repeat' | 'fileGone' | 'superseded' | 'uploadExpired';

/** The file's text, chunked: or the failure that ends its ingest. */
type Extracted =
  | {
      readonly ok: true;
      readonly type: KnowledgeFileType;
      readonly chunks: readonly Chunk[];
      readonly pageCount: number | undefined;
      readonly title: string | undefined;
    }
  | { readonly ok: false; readonly failure: FileFailure };

/** The text a chunk is embedded as: its heading path travels with it, as a reader would see it. */
function embeddingInput(chunk: Chunk): string {
  return chunk.section === undefined ? chunk.text : `${chunk.section}\n${chunk.text}`;
}

/**
 * The blob-triggered ingest of a landed knowledge file (issue 4, part 2): sniff the bytes, apply the type's size
 * limit, extract structured text, chunk it, embed the chunks when an embedding deployment is configured, index them
 * under deterministic ids, summarise, and record `ready` with the chunk count, or `failed` with a code and a sentence.
 *
 * Idempotent per blob version: the file records the ETag it describes, so a repeated trigger for that version changes
 * nothing, a retried one (after a crash) redoes the same writes (chunk ids `<fileId>:<index>` overwrite), and a new
 * version (a re-upload) ingests afresh. Each outcome is recorded only while the file still waits for that version.
 */
export class KnowledgeIngest {
  constructor(private readonly deps: KnowledgeIngestDeps) {}

  async ingest(landed: LandedKnowledgeFile): Promise<KnowledgeIngestOutcome> {
    const startedAt = performance.now();
    const outcome = await this.ingestVersion(landed);
    // Only the ingests that did the work: repeats and files gone in the meantime would flatter the figures.
    if (outcome === 'ready' || outcome === 'failed') {
      this.deps.metrics?.record(METRIC_NAMES.knowledgeIngestMs, Math.round(performance.now() - startedAt), { outcome });
    }
    return outcome;
  }

  private async ingestVersion(landed: LandedKnowledgeFile): Promise<KnowledgeIngestOutcome> {
    const etag = unquoteEtag(landed.etag);
    const ids = { projectId: landed.projectId, baseId: landed.baseId, fileId: landed.fileId };
    const sourcePath = knowledgeSourcePath(ids.projectId, ids.baseId, ids.fileId);
    const [file, base] = await Promise.all([this.deps.records.get(ids), this.deps.knowledgeBases.get(ids.projectId, ids.baseId)]);
    const decision = base === undefined || base.deletingSince !== undefined ? 'fileGone' : landingDecision(file, etag);
    if (decision === 'fileGone' || decision === 'uploadExpired') {
      // A file deleted before its bytes landed, or given up on (its slot given back) while they were still on their
      // way: nothing may keep them.
      await this.deps.knowledgeStore.deleteVersion(sourcePath, etag);
      return decision;
    }
    if (decision === 'repeat') return 'repeat';

    const started = await this.deps.records.update(ids, (f) => withProcessing(f, etag, landed.bytes.byteLength), file);
    if (!ingesting(started.file, etag)) {
      const outcome = this.notIngesting(started.file, etag);
      // The sweep gave the file up between the read above and this write.
      if (outcome === 'uploadExpired') await this.deps.knowledgeStore.deleteVersion(sourcePath, etag);
      return outcome;
    }
    const current = started.file;

    const extracted = await this.extract(current, landed.bytes);
    if (!extracted.ok) return this.recordFailure(ids, etag, extracted.failure);
    // The summary (a model call, with a chat deployment) is written while the chunks are embedded and indexed.
    const summary = this.summarize(current, extracted.chunks, extracted.title);
    summary.catch(() => undefined);

    let vectors: number[][] | undefined;
    const { embeddings } = this.deps;
    if (embeddings !== undefined) {
      try {
        vectors = await embeddings.embed(extracted.chunks.map(embeddingInput));
      } catch (err) {
        // A refusal (bad input, no such deployment) fails the file. A passing fault that outlasted the client's own
        // backoff is thrown, so the blob trigger tries the file again; its poison report fails it in the end.
        if (!(err instanceof EmbeddingFailedError) || err.retryable) throw err;
        this.deps.logger.error('the embedding deployment refused the chunks of a knowledge file', { fileId: current.id, projectId: current.projectId, status: err.status });
        return this.recordFailure(ids, etag, this.failure('EmbeddingFailed', {}, extracted.type));
      }
      if (vectors.length !== extracted.chunks.length) {
        throw new Error(`the embedding client returned ${vectors.length} vectors for ${extracted.chunks.length} inputs`);
      }
    }
    const chunks: IndexedChunk[] = extracted.chunks.map((chunk, i) => ({
      id: `${current.id}:${chunk.index}`,
      projectId: current.projectId,
      baseId: current.baseId,
      fileId: current.id,
      index: chunk.index,
      text: chunk.text,
      page: chunk.page,
      section: chunk.section,
      embedding: vectors?.[i],
    }));

    // The chunks replace the file's previous ones only while this version is still the one wanted.
    const beforeIndexing = await this.deps.records.get(ids);
    if (!ingesting(beforeIndexing, etag)) return this.notIngesting(beforeIndexing, etag);
    await this.deps.knowledgeIndex.replaceFileChunks(ids.projectId, ids.baseId, ids.fileId, chunks);
    const ingested = {
      type: extracted.type,
      contentType: KNOWLEDGE_CONTENT_TYPES[extracted.type],
      pageCount: extracted.pageCount,
      chunkCount: chunks.length,
      summary: await summary,
      embeddingModel: embeddings?.model,
    };
    // Decided from the read before indexing: the write is conditional on its ETag, so a change since then (a deletion,
    // a re-upload) fails it and the update reads afresh.
    const done = await this.deps.records.update(ids, (f) => withReady(f, etag, ingested), beforeIndexing);
    if (done.changed) return 'ready';
    const outcome = this.notIngesting(done.file, etag);
    // Deleted while it was ingested: the deletion may have removed the chunks before they were written.
    if (outcome === 'fileGone') await this.deps.knowledgeIndex.deleteFile(ids.projectId, ids.baseId, ids.fileId);
    return outcome;
  }

  /** Records that version `etag` failed, and removes whatever an earlier version had indexed. */
  private async recordFailure(ids: KnowledgeFileRef, etag: string, failure: FileFailure): Promise<KnowledgeIngestOutcome> {
    const { changed, file } = await this.deps.records.update(ids, (f) => withIngestFailed(f, etag, failure));
    if (!changed) return this.notIngesting(file, etag);
    // A re-upload that fails must not leave the previous version's chunks answering searches. Removed only once the
    // failure is recorded for this version: a newer version may have been indexed meanwhile.
    await this.deps.knowledgeIndex.deleteFile(ids.projectId, ids.baseId, ids.fileId);
    return 'failed';
  }

  /**
   * The blob trigger gave up on a landed file (every try failed for a reason of our own): a file still waiting for it
   * fails with IngestionFailed instead of staying `uploading` or `processing`.
   */
  async abandonIngest(blobName: string, etag: string | undefined): Promise<boolean> {
    const ref = knowledgeFileRefOf(blobName);
    if (ref === undefined) return false;
    const failure: FileFailure = { code: 'IngestionFailed', message: knowledgeFailureMessage('IngestionFailed') };
    const { changed } = await this.deps.records.update(ref, (f) =>
      withIngestAbandoned(f, etag === undefined ? (f.sourceEtag ?? '') : unquoteEtag(etag), failure),
    );
    if (changed) {
      await this.deps.knowledgeIndex.deleteFile(ref.projectId, ref.baseId, ref.fileId);
      this.deps.logger.error('a knowledge file could not be ingested on any try; the file fails', { ...ref });
    }
    return changed;
  }

  private notIngesting(file: KnowledgeFile | undefined, etag: string): KnowledgeIngestOutcome {
    if (file === undefined || file.deletingSince !== undefined) return 'fileGone';
    if (uploadExpired(file)) return 'uploadExpired';
    return file.sourceEtag === etag ? 'repeat' : 'superseded';
  }

  private failure(code: KnowledgeFailureCode, facts: FailureFacts = {}, type?: KnowledgeFileType): FileFailure {
    return { code, message: knowledgeFailureMessage(code, facts), type, contentType: type === undefined ? undefined : KNOWLEDGE_CONTENT_TYPES[type] };
  }

  /** Sniffs, applies the type's limit, extracts and chunks: the pure part of the ingest. */
  private async extract(file: KnowledgeFile, bytes: Uint8Array): Promise<Extracted> {
    const fail = (code: KnowledgeFailureCode, facts: FailureFacts = {}, type?: KnowledgeFileType): Extracted => ({ ok: false, failure: this.failure(code, facts, type) });
    const sniffed = await this.deps.documentExtractor.sniff(bytes, file.originalName);
    if (!sniffed.ok) return fail('UnsupportedMediaType');
    const { type } = sniffed;
    const limit = KNOWLEDGE_SIZE_LIMITS[type];
    if (bytes.byteLength > limit) return fail('FileTooLarge', { type, size: bytes.byteLength, limit }, type);

    const extracted = await this.deps.documentExtractor.extract(bytes, type);
    if (!extracted.ok) {
      this.deps.logger.warn('a knowledge file could not be extracted', { fileId: file.id, projectId: file.projectId, type, code: extracted.code, detail: extracted.detail });
      return fail(extracted.code, {}, type);
    }
    const chunks = chunkDocument(extracted.blocks, DEFAULT_CHUNKING);
    if (chunks.length === 0) return fail('NoExtractableText', {}, type);
    return { ok: true, type, chunks, pageCount: extracted.pageCount, title: extracted.title };
  }

  /** The chat deployment's summary when one is configured; extractive when not, or when the model fails. */
  private async summarize(file: KnowledgeFile, chunks: readonly Chunk[], title: string | undefined): Promise<string> {
    const { summarizer } = this.deps;
    if (summarizer !== undefined) {
      try {
        const summary = (await summarizer.summarize({ fileName: file.originalName, title, chunks })).trim();
        if (summary !== '') return summary;
      } catch (err) {
        this.deps.logger.warn('a knowledge file summary could not be written by the model; an extractive one is kept', {
          fileId: file.id,
          projectId: file.projectId,
          err,
        });
      }
    }
    return extractiveSummary(chunks);
  }
}

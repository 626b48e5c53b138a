import type { KnowledgeFailureCode, KnowledgeFileType } from './file-types.js';
import { knowledgeFailureMessage } from './knowledge-failure-messages.js';
import type { KnowledgeFile } from './knowledge-file.js';
import { landingDeadlineOf } from './knowledge-landing-deadlines.js';

/**
 * The file's steps, each decided from the file as it is now, so that a repeated trigger or message takes no step
 * twice and a stale one (an older blob version, a file being deleted) takes none. `undefined` means "nothing to do".
 */

/**
 * What a landed blob version means for its file: ingest it, or it was already handled, or the file is gone, or its
 * upload expired (the file was given up on, and its slot given back, before these bytes came: they are not taken).
 */
export type LandingDecision = 'ingest' | 'repeat' | 'fileGone' | 'uploadExpired';

export function landingDecision(file: KnowledgeFile | undefined, etag: string): LandingDecision {
  if (file === undefined || file.deletingSince !== undefined) return 'fileGone';
  if (uploadExpired(file)) return 'uploadExpired';
  if (file.sourceEtag === etag && (file.status === 'ready' || file.status === 'failed')) return 'repeat';
  return 'ingest';
}

/** The version `etag` is being ingested: a new version restarts the file; the same one (a retried trigger) continues. */
export function withProcessing(file: KnowledgeFile, etag: string, size: number): KnowledgeFile | undefined {
  if (landingDecision(file, etag) !== 'ingest') return undefined;
  if (file.status === 'processing' && file.sourceEtag === etag) return undefined;
  return {
    ...file,
    status: 'processing',
    sourceEtag: etag,
    size,
    failureReason: undefined,
    failureMessage: undefined,
  };
}

/** True while version `etag` is the one being ingested, so its outcome may still be recorded. */
export function ingesting(file: KnowledgeFile | undefined, etag: string): file is KnowledgeFile {
  return file !== undefined && file.deletingSince === undefined && file.status === 'processing' && file.sourceEtag === etag;
}

export interface IngestedFile {
  readonly type: KnowledgeFileType;
  readonly contentType: string;
  readonly pageCount: number | undefined;
  readonly chunkCount: number;
  readonly summary: string;
  readonly embeddingModel: string | undefined;
}

export function withReady(file: KnowledgeFile, etag: string, ingested: IngestedFile): KnowledgeFile | undefined {
  if (!ingesting(file, etag)) return undefined;
  const keepOverride = file.summarySource === 'override' && file.summary !== undefined;
  return {
    ...file,
    status: 'ready',
    type: ingested.type,
    contentType: ingested.contentType,
    pageCount: ingested.pageCount,
    chunkCount: ingested.chunkCount,
    embeddingModel: ingested.embeddingModel,
    summary: keepOverride ? file.summary : ingested.summary,
    summarySource: keepOverride ? 'override' : 'generated',
  };
}

export interface FileFailure {
  readonly code: KnowledgeFailureCode;
  readonly message: string;
  readonly type?: KnowledgeFileType | undefined;
  readonly contentType?: string | undefined;
}

/** Version `etag` failed its ingest. Its chunks, if an earlier version had any, are removed by the caller. */
export function withIngestFailed(file: KnowledgeFile, etag: string, failure: FileFailure): KnowledgeFile | undefined {
  if (!ingesting(file, etag)) return undefined;
  return failed(file, failure);
}

/** True while the file still waits for the fetch of exactly this URL. */
export function awaitsFetch(file: KnowledgeFile | undefined, url: string): file is KnowledgeFile {
  return file !== undefined && file.deletingSince === undefined && file.status === 'uploading' && file.source.kind === 'url' && file.source.url === url;
}

/** The fetch of `url` failed for good, before anything landed. */
export function withFetchFailed(file: KnowledgeFile, url: string, failure: FileFailure): KnowledgeFile | undefined {
  if (!awaitsFetch(file, url)) return undefined;
  return failed(file, failure);
}

function failed(file: KnowledgeFile, failure: FileFailure): KnowledgeFile {
  return {
    ...file,
    status: 'failed',
    failureReason: failure.code,
    failureMessage: failure.message,
    type: failure.type ?? file.type,
    contentType: failure.contentType ?? file.contentType,
    chunkCount: 0,
    pageCount: undefined,
    embeddingModel: undefined,
    summary: file.summarySource === 'override' ? file.summary : undefined,
    summarySource: file.summarySource === 'override' ? 'override' : undefined,
  };
}

/**
 * The blob trigger gave up on version `etag` (every try failed for a reason of our own): a file still waiting for it,
 * whether its ingest started or not, fails instead of staying `uploading` or `processing`.
 */
export function withIngestAbandoned(file: KnowledgeFile, etag: string, failure: FileFailure): KnowledgeFile | undefined {
  if (file.deletingSince !== undefined) return undefined;
  const waiting = file.status === 'uploading' || ingesting(file, etag);
  return waiting ? failed({ ...file, sourceEtag: etag }, failure) : undefined;
}

/** The file was given up on because its bytes never landed (see withUploadExpired). */
export function uploadExpired(file: KnowledgeFile): boolean {
  return file.status === 'failed' && file.failureReason === 'UploadExpired';
}

/**
 * A file still `uploading` past its landing deadline (its upload URL expired unused, its fetch or its request never
 * delivered the bytes) fails with UploadExpired. Its slot is then given back: it holds none (see holdsSlot).
 */
export function withUploadExpired(file: KnowledgeFile, now: Date): KnowledgeFile | undefined {
  if (file.deletingSince !== undefined || file.status !== 'uploading') return undefined;
  if (now.getTime() < landingDeadlineOf(file)) return undefined;
  return failed(file, { code: 'UploadExpired', message: knowledgeFailureMessage('UploadExpired', { source: file.source.kind }) });
}

/** Whether the file counts against its base's file limit: every file does, except one whose upload expired. */
export function holdsSlot(file: KnowledgeFile): boolean {
  return !uploadExpired(file);
}

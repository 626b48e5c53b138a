import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { Clock } from '../domain/clock.js';
import { BadRequestError, NotFoundError, PayloadTooLargeError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { KNOWLEDGE_CONTENT_TYPES, KNOWLEDGE_FILE_TYPES, KNOWLEDGE_SIZE_LIMITS, MAX_KNOWLEDGE_FILE_BYTES, type KnowledgeFileType } from '../domain/knowledge/file-types.js';
import { knowledgeFailureMessage } from '../domain/knowledge/knowledge-failure-messages.js';
import { cleanFileName, nameFromUrl } from '../domain/knowledge/knowledge-file-names.js';
import type { KnowledgeFile, KnowledgeFileSource } from '../domain/knowledge/knowledge-file.js';
import type { KnowledgeFileFetchQueue } from '../domain/knowledge/knowledge-file-fetch-job.js';
import type { KnowledgeFileRepository } from '../domain/knowledge/knowledge-file-repository.js';
import type { KnowledgeFileStore } from '../domain/knowledge/knowledge-file-store.js';
import { KNOWLEDGE_UPLOAD_URL_LIFETIME_MS } from '../domain/knowledge/knowledge-landing-deadlines.js';
import { knowledgeSourcePath } from '../domain/knowledge/knowledge-paths.js';
import { knowledgeFileViewOf, type KnowledgeFileView } from '../domain/knowledge/knowledge-views.js';
import type { Logger } from '../domain/logger.js';
import { UrlNotAllowedError, type GuardedFetcher } from '../domain/outbound.js';
import type { KnowledgeBaseService } from './knowledge-base-service.js';
import type { KnowledgeFileSlots } from './knowledge-file-slots.js';

export interface KnowledgeFileIntakeDeps {
  readonly knowledgeFiles: KnowledgeFileRepository;
  readonly knowledgeStore: KnowledgeFileStore;
  readonly knowledgeFetchQueue: KnowledgeFileFetchQueue;
  readonly fetcher: GuardedFetcher;
  readonly bases: KnowledgeBaseService;
  readonly slots: KnowledgeFileSlots;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A file sent in the request (multipart/form-data). */
export interface SentFile {
  readonly fileName: string;
  readonly contentType: string;
  readonly bytes: Uint8Array;
}

/** `POST .../files/uploads`: the client's word on the file; the ingest sniffs the bytes and measures them. */
export interface KnowledgeUploadRequest {
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
}

export interface KnowledgeUploadTicket {
  readonly file: KnowledgeFileView;
  /** A secret until it expires: whoever holds it can write the file. Never logged. */
  readonly uploadUrl: string;
  readonly method: 'PUT';
  readonly headers: { readonly 'x-ms-blob-type': 'BlockBlob'; readonly 'content-type': string };
  readonly expiresAt: string;
}

export { KNOWLEDGE_UPLOAD_URL_LIFETIME_MS };

/**
 * How long adding a URL waits for its address check. DNS that does not answer by then is no reason to refuse the
 * request: the fetch checks every address again and fails the file if it must.
 */
const URL_CHECK_BUDGET_MS = 5_000;

/**
 * The three ways a file enters a knowledge base: a URL the backend fetches (queued), the bytes in the request, or a
 * short-lived upload URL. Each takes a slot of the base first (the 30-file limit) and records the file as `uploading`;
 * the blob-triggered ingest takes over once the bytes land.
 */
export class KnowledgeFileIntake {
  constructor(private readonly deps: KnowledgeFileIntakeDeps) {}

  async addFromUrl(principal: ApiKeyPrincipal, baseId: string, url: string): Promise<KnowledgeFileView> {
    await this.deps.bases.baseOf(principal.projectId, baseId);
    await this.checkUrl(url);
    const file = await this.record(principal, baseId, {
      originalName: nameFromUrl(url),
      contentType: 'application/octet-stream',
      size: 0,
      source: { kind: 'url', url },
    });
    try {
      await this.deps.knowledgeFetchQueue.enqueue({ projectId: file.projectId, orgId: file.orgId, baseId: file.baseId, fileId: file.id, url });
    } catch (err) {
      await this.undo(file);
      throw err;
    }
    return knowledgeFileViewOf(file);
  }

  async addSentFile(principal: ApiKeyPrincipal, baseId: string, sent: SentFile): Promise<KnowledgeFileView> {
    if (sent.bytes.byteLength > MAX_KNOWLEDGE_FILE_BYTES) throw new PayloadTooLargeError(MAX_KNOWLEDGE_FILE_BYTES);
    await this.deps.bases.baseOf(principal.projectId, baseId);
    const file = await this.record(principal, baseId, {
      originalName: cleanFileName(sent.fileName) ?? 'upload',
      contentType: sent.contentType,
      size: sent.bytes.byteLength,
      source: { kind: 'multipart' },
    });
    try {
      await this.deps.knowledgeStore.write(knowledgeSourcePath(file.projectId, file.baseId, file.id), sent.bytes, sent.contentType);
    } catch (err) {
      await this.undo(file);
      throw err;
    }
    return knowledgeFileViewOf(file);
  }

  async requestUpload(principal: ApiKeyPrincipal, baseId: string, request: KnowledgeUploadRequest): Promise<KnowledgeUploadTicket> {
    const declaredType = typeDeclaredBy(request.fileName, request.contentType);
    const limit = declaredType === undefined ? MAX_KNOWLEDGE_FILE_BYTES : KNOWLEDGE_SIZE_LIMITS[declaredType];
    if (request.size > limit) {
      throw new BadRequestError('FileTooLarge', knowledgeFailureMessage('FileTooLarge', { type: declaredType, size: request.size, limit }));
    }
    await this.deps.bases.baseOf(principal.projectId, baseId);
    const file = await this.record(principal, baseId, {
      originalName: cleanFileName(request.fileName) ?? 'upload',
      contentType: request.contentType,
      size: request.size,
      source: { kind: 'uploadUrl' },
    });
    const expiresAt = new Date(this.deps.clock.now().getTime() + KNOWLEDGE_UPLOAD_URL_LIFETIME_MS);
    let uploadUrl: string;
    try {
      uploadUrl = await this.deps.knowledgeStore.uploadUrl(knowledgeSourcePath(file.projectId, file.baseId, file.id), expiresAt);
    } catch (err) {
      await this.undo(file);
      throw err;
    }
    return {
      file: knowledgeFileViewOf(file),
      uploadUrl,
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': request.contentType },
      expiresAt: expiresAt.toISOString(),
    };
  }

  /**
   * Refuses, with UrlNotAllowed, a URL whose host is (or resolves to) a loopback, private, link-local or metadata
   * address, before anything is recorded. Other trouble (a name that does not resolve yet) is the fetch's to judge.
   */
  private async checkUrl(url: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, URL_CHECK_BUDGET_MS);
    });
    try {
      await Promise.race([this.deps.fetcher.checkUrl(url), budget]);
    } catch (err) {
      if (err instanceof UrlNotAllowedError) throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Takes a slot, then records the file; a base deleted in between takes the file with it (NotFound). */
  private async record(
    principal: ApiKeyPrincipal,
    baseId: string,
    fields: Pick<KnowledgeFile, 'originalName' | 'contentType' | 'size'> & { readonly source: KnowledgeFileSource },
  ): Promise<KnowledgeFile> {
    const fileId = newId('file');
    await this.deps.slots.reserve(principal.projectId, baseId, fileId);
    const now = this.deps.clock.now().toISOString();
    let file: KnowledgeFile;
    try {
      file = await this.deps.knowledgeFiles.create({
        id: fileId,
        projectId: principal.projectId,
        orgId: principal.orgId,
        baseId,
        ...fields,
        status: 'uploading',
        chunkCount: 0,
        createdAt: now,
        updatedAt: now,
      });
    } catch (err) {
      await this.deps.slots.release(principal.projectId, baseId, fileId).catch(() => undefined);
      throw err;
    }
    // The base's deletion lists its files once; a file recorded after that listing would outlive it.
    try {
      await this.deps.bases.baseOf(principal.projectId, baseId);
    } catch (err) {
      if (err instanceof NotFoundError) await this.deps.knowledgeFiles.delete(file.projectId, file.baseId, file.id);
      throw err;
    }
    return file;
  }

  /** Takes back a file whose bytes could not be sent on their way, so that it neither waits forever nor holds a slot. */
  private async undo(file: KnowledgeFile): Promise<void> {
    try {
      await this.deps.knowledgeFiles.delete(file.projectId, file.baseId, file.id);
      await this.deps.slots.release(file.projectId, file.baseId, file.id);
    } catch (err) {
      this.deps.logger.error('a knowledge file that could not be started was not taken back', {
        projectId: file.projectId,
        baseId: file.baseId,
        fileId: file.id,
        err,
      });
    }
  }
}

const EXTENSION_TYPES: Readonly<Record<string, KnowledgeFileType>> = {
  pdf: 'pdf',
  docx: 'docx',
  txt: 'txt',
  text: 'txt',
  md: 'md',
  markdown: 'md',
  html: 'html',
  htm: 'html',
  csv: 'csv',
  json: 'json',
  png: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
};

/**
 * The type the client claims (by content type, else by extension): only to refuse a declared size that no file of
 * that type may have before a slot is taken. The ingest judges the bytes.
 */
function typeDeclaredBy(fileName: string, contentType: string): KnowledgeFileType | undefined {
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const byContentType = KNOWLEDGE_FILE_TYPES.find((type) => KNOWLEDGE_CONTENT_TYPES[type] === mediaType);
  if (byContentType !== undefined) return byContentType;
  const extension = fileName.includes('.') ? fileName.split('.').pop()?.toLowerCase() : undefined;
  return extension === undefined ? undefined : EXTENSION_TYPES[extension];
}

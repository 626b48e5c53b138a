import type { CompanionJobKind, CompanionJobMessage, CompanionJobQueue } from '../../../shared/domain/companion-jobs.js';
import type { MediaFetchJob, MediaFetchQueue, MediaUploadDeadlineJob } from '../../../shared/domain/media-fetch-job.js';
import type { MediaIntakeStore } from '../../../shared/domain/media-intake-store.js';

/** Files by blob path with a version counter as their ETag, enough for the intake's conditional deletes. */
export class InMemoryMediaIntakeStore implements MediaIntakeStore {
  readonly files = new Map<string, { bytes: Uint8Array; contentType: string; etag: string }>();
  private version = 0;

  async write(blobPath: string, bytes: Uint8Array, contentType: string) {
    this.version += 1;
    this.files.set(blobPath, { bytes, contentType, etag: `v${this.version}` });
  }
  async copyVersion(fromPath: string, etag: string, toPath: string, contentType: string) {
    const source = this.files.get(fromPath);
    if (source?.etag !== etag) return false;
    await this.write(toPath, source.bytes, contentType);
    return true;
  }
  async deleteVersion(blobPath: string, etag: string) {
    if (this.files.get(blobPath)?.etag === etag) this.files.delete(blobPath);
  }
  async delete(blobPath: string) {
    this.files.delete(blobPath);
  }
  async uploadUrl(blobPath: string, expiresAt: Date) {
    return `https://storage.test/companions/${blobPath}?se=${encodeURIComponent(expiresAt.toISOString())}&sp=cw&sig=test`;
  }
}

export class RecordingMediaFetchQueue implements MediaFetchQueue {
  readonly jobs: MediaFetchJob[] = [];
  failing = false;
  async enqueue(job: MediaFetchJob) {
    if (this.failing) throw new Error('queue unavailable');
    this.jobs.push(structuredClone(job));
  }
  readonly deadlines: { job: MediaUploadDeadlineJob; delaySeconds: number }[] = [];
  async scheduleUploadDeadline(job: MediaUploadDeadlineJob, delaySeconds: number) {
    if (this.failing) throw new Error('queue unavailable');
    this.deadlines.push({ job: structuredClone(job), delaySeconds });
  }
}

export class RecordingCompanionJobQueue implements CompanionJobQueue {
  readonly messages: { kind: CompanionJobKind; message: CompanionJobMessage; delaySeconds: number | undefined }[] = [];
  failing = false;
  async enqueue(kind: CompanionJobKind, message: CompanionJobMessage, options?: { readonly delaySeconds?: number }) {
    if (this.failing) throw new Error('queue unavailable');
    this.messages.push({ kind, message: structuredClone(message), delaySeconds: options?.delaySeconds });
  }
}

import type { Companion, CompanionWarning, MediaKind } from '../domain/companion.js';
import {
  MEDIA_INTAKE_FAILURE_CODES,
  acceptedMediaPath,
  expectsIncoming,
  incomingMediaPath,
  incomingMediaRefOf,
  mediaAwaitingFetch,
  mediaAwaitingUpload,
  withMediaAccepted,
  withMediaRejected,
  type AcceptedMedia,
  type IncomingMediaRef,
} from '../domain/companion-media-intake.js';
import type { MediaUrls } from '../domain/companion-media-rules.js';
import type { CompanionRepository } from '../domain/companion-repository.js';
import type { EventPublisher } from '../domain/event-publisher.js';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../domain/logger.js';
import type { MediaFetchQueue } from '../domain/media-fetch-job.js';
import type { MediaIntakeStore } from '../domain/media-intake-store.js';
import type { MediaInspector } from '../domain/media/media-inspector.js';
import { UrlNotAllowedError, type GuardedFetcher } from '../domain/outbound.js';
import { publishCompanionEvent } from './companion-event-publishing.js';
import type { CompanionMediaRecords } from './companion-media-records.js';

export interface CompanionMediaIntakeDeps {
  readonly companions: CompanionRepository;
  readonly records: CompanionMediaRecords;
  readonly fetcher: GuardedFetcher;
  readonly mediaInspector: MediaInspector;
  readonly mediaStore: MediaIntakeStore;
  readonly mediaFetchQueue: MediaFetchQueue;
  /** The check publishes `companion.updated` itself, beside its other last steps rather than before them. */
  readonly events: EventPublisher;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** An incoming file as its blob trigger delivers it: the names bound from its path, its bytes and their ETag. */
export interface IncomingMedia extends IncomingMediaRef {
  readonly bytes: Uint8Array;
  readonly etag: string;
}

/** What a check did; returned for logs and tests. */
export type MediaCheckOutcome = 'accepted' | 'rejected' | 'companionGone' | 'notExpected';

/**
 * How long creation waits for the address checks of its media URLs. DNS that does not answer by then is no reason to
 * refuse the request: the fetch checks every address again and rejects the medium if it must.
 */
const URL_CHECK_BUDGET_MS = 5_000;

interface CheckedFile {
  readonly ok: true;
  /** The file to keep; undefined when it is the incoming file itself, which is then copied inside the store. */
  readonly bytes: Uint8Array | undefined;
  readonly extension: string;
  readonly media: Omit<AcceptedMedia, 'blobPath'>;
  readonly warnings: readonly CompanionWarning[];
}

type CheckResult = CheckedFile | { readonly ok: false; readonly code: string };

const PICTURE_EXTENSIONS: Readonly<Record<string, string>> = { 'image/jpeg': 'jpg', 'image/png': 'png' };

/**
 * The media intake (issue 3, part 3): at creation, refuses media URLs that point where the service must not go and
 * queues their fetch; then checks every file that lands in an incoming path (fetched or uploaded), keeps the accepted
 * file where the generation jobs read it, records the outcome on the companion and hands it to generation.
 */
export class CompanionMediaIntake {
  constructor(private readonly deps: CompanionMediaIntakeDeps) {}

  /**
   * Refuses, with UrlNotAllowed, a media URL whose host is (or resolves to) a loopback, private, link-local or metadata
   * address, before anything is created. Other trouble (a name that does not resolve yet) is the fetch's to judge.
   */
  async checkMediaUrls(urls: MediaUrls): Promise<void> {
    const checks = Object.entries(urls).map(async ([field, url]) => {
      if (url === undefined) return;
      try {
        await withinBudget(this.deps.fetcher.checkUrl(url), URL_CHECK_BUDGET_MS);
      } catch (err) {
        if (err instanceof UrlNotAllowedError) throw new UrlNotAllowedError(`${err.reason} (${field})`);
      }
    });
    const results = await Promise.allSettled(checks);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (refused !== undefined) throw refused.reason;
  }

  /**
   * Starts the intake of a companion just created: one fetch per media URL, one deadline check per medium declared as
   * an upload (hidden until its deadline, so that an upload that never comes rejects it with UploadExpired), or, for
   * a companion without media, avatar generation at once. Generation waits for every medium, fetched or uploaded, to
   * be accepted. If a message cannot be queued the companion fails with MediaIntakeUnavailable rather than waiting
   * for a fetch or a deadline that will never come.
   */
  async startIntake(companion: Companion): Promise<Companion> {
    try {
      const ids = { companionId: companion.id, projectId: companion.projectId, orgId: companion.orgId };
      for (const { kind, url } of mediaAwaitingFetch(companion)) {
        await this.deps.mediaFetchQueue.enqueue({ ...ids, kind, url });
      }
      const now = this.deps.clock.now().getTime();
      for (const { kind, uploadDeadline } of mediaAwaitingUpload(companion)) {
        await this.deps.mediaFetchQueue.scheduleUploadDeadline({ ...ids, kind, uploadDeadline }, (Date.parse(uploadDeadline) - now) / 1000);
      }
      return (await this.deps.records.handOff(companion)) ?? companion;
    } catch (err) {
      this.deps.logger.error('the media intake of a new companion could not be queued; the companion fails', {
        companionId: companion.id,
        projectId: companion.projectId,
        err,
      });
      const { companion: failed } = await this.deps.records.update(
        { projectId: companion.projectId, companionId: companion.id },
        (c) => intakeUnavailable(c),
        { start: companion, visible: false },
      );
      return failed ?? companion;
    }
  }

  /**
   * Checks an incoming file (the blob trigger). A file for a companion that is gone, or that its medium does not wait
   * for (a repeated trigger, a second upload after the first was accepted), changes nothing and is removed; any
   * generation hand-off a crash left unsent is sent then.
   */
  async checkIncomingMedia(incoming: IncomingMedia): Promise<MediaCheckOutcome> {
    const { projectId, companionId, kind, uploadId, bytes, etag } = incoming;
    const incomingPath = incomingMediaPath(projectId, companionId, kind, uploadId);
    const ids = { projectId, companionId };
    // The check needs only the bytes, so it runs while the companion is read; a failure of either fails the trigger.
    const [companion, result] = await Promise.all([this.deps.companions.get(projectId, companionId), this.check(kind, bytes)]);
    if (companion === undefined) {
      await this.deps.mediaStore.deleteVersion(incomingPath, etag);
      return 'companionGone';
    }
    if (!expectsIncoming(companion, kind, uploadId)) {
      await this.deps.records.handOff(companion);
      await this.deps.mediaStore.deleteVersion(incomingPath, etag);
      return 'notExpected';
    }

    let outcome: MediaCheckOutcome;
    let latest: Companion | undefined;
    if (result.ok) {
      const blobPath = acceptedMediaPath(projectId, companionId, kind, result.extension);
      // Stored before it is recorded: a recorded medium always has its file. A crash in between leaves the medium
      // waiting, and the retried trigger stores the same path again. Audio and video are kept as they came, so the
      // store copies the checked version itself rather than this process sending up to 100 MB back.
      if (result.bytes !== undefined) {
        await this.deps.mediaStore.write(blobPath, result.bytes, result.media.contentType);
      } else if (!(await this.deps.mediaStore.copyVersion(incomingPath, etag, blobPath, result.media.contentType))) {
        // Overwritten or removed since the host read it: the newer version has a check of its own.
        return 'notExpected';
      }
      const update = await this.deps.records.update(
        ids,
        (c) => (expectsIncoming(c, kind, uploadId) ? withMediaAccepted(c, kind, { ...result.media, blobPath }, result.warnings) : undefined),
        { start: companion, visible: false },
      );
      if (update.companion === undefined) {
        // Deleted while it was checked: the deletion's sweep may have run before this write.
        await this.deps.mediaStore.delete(blobPath);
        await this.deps.mediaStore.deleteVersion(incomingPath, etag);
        return 'companionGone';
      }
      // Not changed: another file of this kind was decided first (a client that sent two uploads at once). Both passed
      // the check, so whichever file the path holds is valid media; the record is the first decision.
      outcome = update.changed ? 'accepted' : 'notExpected';
      latest = update.companion;
    } else {
      const update = await this.deps.records.update(
        ids,
        (c) => (expectsIncoming(c, kind, uploadId) ? withMediaRejected(c, kind, result.code) : undefined),
        { start: companion, visible: false },
      );
      outcome = update.companion === undefined ? 'companionGone' : update.changed ? 'rejected' : 'notExpected';
      latest = update.companion;
    }
    // Once the decision is recorded, its event and the generation hand-off depend on nothing but that record, so they
    // go out together (the event is best-effort, as always). The incoming file goes last: while it is there, a trigger
    // retried after a failed hand-off finds the decision recorded (notExpected) and sends the hand-off again.
    const changed = outcome === 'accepted' || outcome === 'rejected';
    await Promise.all([
      changed && latest !== undefined ? publishCompanionEvent(this.deps, 'companion.updated', latest) : undefined,
      latest !== undefined ? this.deps.records.handOff(latest) : undefined,
    ]);
    await this.deps.mediaStore.deleteVersion(incomingPath, etag);
    return outcome;
  }

  /**
   * The blob trigger gave up on a file (every try failed for a reason of our own): a medium still waiting for it is
   * rejected with MediaCheckFailed, so the companion fails instead of staying pending.
   */
  async abandonCheck(blobName: string, etag: string | undefined): Promise<boolean> {
    const ref = incomingMediaRefOf(blobName);
    if (ref === undefined) return false;
    const { companion, changed } = await this.deps.records.update(
      { projectId: ref.projectId, companionId: ref.companionId },
      (c) => (expectsIncoming(c, ref.kind, ref.uploadId) ? withMediaRejected(c, ref.kind, MEDIA_INTAKE_FAILURE_CODES.checkFailed) : undefined),
      { visible: true },
    );
    if (companion !== undefined && changed) {
      this.deps.logger.error('an incoming media file could not be checked on any try; the medium is rejected', {
        companionId: ref.companionId,
        projectId: ref.projectId,
        kind: ref.kind,
      });
    }
    const path = incomingMediaPath(ref.projectId, ref.companionId, ref.kind, ref.uploadId);
    if (etag !== undefined) await this.deps.mediaStore.deleteVersion(path, etag);
    return changed;
  }

  /** Runs the kind's check and names the file to keep: pictures normalised to 16:9, audio and video as they came. */
  private async check(kind: MediaKind, bytes: Uint8Array): Promise<CheckResult> {
    const inspector = this.deps.mediaInspector;
    if (kind === 'picture') {
      const picture = await inspector.inspectPicture(bytes);
      if (!picture.ok) return { ok: false, code: picture.code };
      const { image } = picture;
      const extension = PICTURE_EXTENSIONS[image.mimeType];
      if (extension === undefined) throw new Error(`the picture check produced ${image.mimeType}, which has no file extension here`);
      const warnings = picture.warnings.map((code) => ({
        code,
        message:
          `The picture is ${picture.sourceWidth}×${picture.sourceHeight}, not 16:9; its centre was kept ` +
          `(${image.width}×${image.height}). Send a 16:9 picture to control the framing.`,
      }));
      return {
        ok: true,
        bytes: image.bytes,
        extension,
        media: { contentType: image.mimeType, sizeBytes: image.bytes.byteLength, width: image.width, height: image.height },
        warnings,
      };
    }
    if (kind === 'voice') {
      const voice = await inspector.inspectVoiceSample(bytes);
      if (!voice.ok) return { ok: false, code: voice.code };
      return {
        ok: true,
        bytes: undefined,
        extension: voice.format,
        media: { contentType: voice.mimeType, sizeBytes: voice.sizeBytes, durationSeconds: voice.durationSeconds },
        warnings: [],
      };
    }
    const video = await inspector.inspectVideo(bytes);
    if (!video.ok) return { ok: false, code: video.code };
    return {
      ok: true,
      bytes: undefined,
      extension: video.format,
      media: { contentType: video.mimeType, sizeBytes: video.sizeBytes, durationSeconds: video.durationSeconds },
      warnings: [],
    };
  }
}

/** Every medium still waiting for its fetch or its upload is rejected; a companion without media fails outright. */
function intakeUnavailable(companion: Companion): Companion | undefined {
  if (companion.status !== 'pending') return undefined;
  const waiting = [...mediaAwaitingFetch(companion), ...mediaAwaitingUpload(companion)];
  if (waiting.length === 0) {
    if (companion.mediaHandOff?.avatarGeneration !== undefined) return undefined;
    return { ...companion, status: 'failed', failureReason: MEDIA_INTAKE_FAILURE_CODES.intakeUnavailable };
  }
  return waiting.reduce((c, { kind }) => withMediaRejected(c, kind, MEDIA_INTAKE_FAILURE_CODES.intakeUnavailable), companion);
}

/** Resolves when `work` does or when the budget runs out, whichever is first; rejects only with `work`'s error. */
async function withinBudget(work: Promise<void>, budgetMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, budgetMs);
  });
  try {
    await Promise.race([work, budget]);
  } finally {
    clearTimeout(timer);
  }
}

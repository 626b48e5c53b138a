import type { Clock } from '../domain/clock.js';
import type { Companion } from '../domain/companion.js';
import type { CompanionJobQueue } from '../domain/companion-jobs.js';
import { avatarGenerationDue, voiceProfileDue } from '../domain/companion-media-intake.js';
import type { CompanionRepository } from '../domain/companion-repository.js';
import type { EventPublisher } from '../domain/event-publisher.js';
import type { Logger } from '../domain/logger.js';
import { publishCompanionEvent } from './companion-event-publishing.js';
import { withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';

export interface CompanionMediaRecordsDeps {
  readonly companions: CompanionRepository;
  readonly companionJobs: CompanionJobQueue;
  readonly events: EventPublisher;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A change decided from the companion as it is now; undefined means there is nothing (left) to do. */
export type MediaRecordChange = (current: Companion) => Companion | undefined;

export interface MediaRecordUpdate {
  /** The companion after the update; undefined when it was deleted meanwhile. */
  readonly companion: Companion | undefined;
  readonly changed: boolean;
}

/**
 * The writes the intake's steps share. Each is decided from a fresh read and written conditionally on its ETag, so a
 * repeated message or trigger, or two checks racing, never take one step twice nor undo each other's.
 */
export class CompanionMediaRecords {
  constructor(private readonly deps: CompanionMediaRecordsDeps) {}

  /**
   * Applies `change` with optimistic concurrency; `start`, when given, saves the first read. `visible` changes (a
   * medium accepted or rejected, the status) raise `companion.updated`; bookkeeping does not.
   */
  async update(
    ids: { readonly projectId: string; readonly companionId: string },
    change: MediaRecordChange,
    options: { readonly start?: Companion | undefined; readonly visible: boolean },
  ): Promise<MediaRecordUpdate> {
    let first = options.start;
    const result = await withOptimisticRetry(async (): Promise<MediaRecordUpdate> => {
      const current = first ?? (await this.deps.companions.get(ids.projectId, ids.companionId));
      first = undefined;
      if (current === undefined) return { companion: undefined, changed: false };
      const next = change(current);
      if (next === undefined) return { companion: current, changed: false };
      const saved = await writeOrRetry(() => this.deps.companions.replace({ ...next, updated: this.deps.clock.now().toISOString() }));
      return { companion: saved, changed: true };
    });
    if (options.visible && result.changed && result.companion !== undefined) {
      await publishCompanionEvent(this.deps, 'companion.updated', result.companion);
    }
    return result;
  }

  /**
   * Queues the generation jobs that are due and records each once sent. The record comes after the message, so a crash
   * between them leaves the job due and the next look (a retried check) sends it again, which the jobs tolerate; a
   * recorded hand-off is never sent twice.
   */
  async handOff(companion: Companion): Promise<Companion | undefined> {
    let current: Companion | undefined = companion;
    const message = { companionId: companion.id, projectId: companion.projectId, orgId: companion.orgId };
    if (avatarGenerationDue(current)) {
      await this.deps.companionJobs.enqueue('avatarGeneration', message);
      const at = this.deps.clock.now().toISOString();
      current = (
        await this.update(
          { projectId: companion.projectId, companionId: companion.id },
          (c) => (c.mediaHandOff?.avatarGeneration === undefined ? { ...c, mediaHandOff: { ...c.mediaHandOff, avatarGeneration: at } } : undefined),
          { start: current, visible: false },
        )
      ).companion;
    }
    if (current !== undefined && voiceProfileDue(current)) {
      await this.deps.companionJobs.enqueue('voiceProfile', message);
      const at = this.deps.clock.now().toISOString();
      current = (
        await this.update(
          { projectId: companion.projectId, companionId: companion.id },
          (c) => (c.mediaHandOff?.voiceProfile === undefined ? { ...c, mediaHandOff: { ...c.mediaHandOff, voiceProfile: at } } : undefined),
          { start: current, visible: false },
        )
      ).companion;
    }
    return current;
  }
}

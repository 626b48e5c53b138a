import type { Clock } from '../domain/clock.js';
import type { Companion, CompanionWarning } from '../domain/companion.js';
import type { CompanionAssetStore } from '../domain/companion-asset-store.js';
import { mayComplete, mergeWarnings } from '../domain/companion-lifecycle.js';
import type { CompanionRepository } from '../domain/companion-repository.js';
import type { EventPublisher } from '../domain/event-publisher.js';
import type { Logger } from '../domain/logger.js';
import { publishCompanionEvent } from './companion-event-publishing.js';
import { withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';

export interface CompanionProgressDeps {
  readonly companions: CompanionRepository;
  readonly assetStore: CompanionAssetStore;
  readonly events: EventPublisher;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A change decided from the companion as it is now; `undefined` means there is nothing (left) to do. */
export type CompanionChange = (current: Companion) => Companion | undefined;

export interface UpdateResult {
  /** The companion after the update; undefined when it was deleted meanwhile. */
  readonly companion: Companion | undefined;
  readonly changed: boolean;
}

/**
 * The steps the generation jobs share. Every step is a conditional write decided from the freshly read companion, so
 * two jobs (the avatar and the voice of a twin, or a repeated message) never take one step twice nor undo each other's.
 */
export class CompanionProgress {
  constructor(private readonly deps: CompanionProgressDeps) {}

  /**
   * Applies `change` with optimistic concurrency: the first attempt uses `start`, a lost race re-reads and decides
   * again. `visible` changes (status, views, voice status, warnings) raise `companion.updated`; internal bookkeeping
   * does not.
   */
  async update(start: Companion, change: CompanionChange, visible: boolean): Promise<UpdateResult> {
    let first: Companion | undefined = start;
    const result = await withOptimisticRetry(async (): Promise<UpdateResult> => {
      const current = first ?? (await this.deps.companions.get(start.projectId, start.id));
      first = undefined;
      if (current === undefined) return { companion: undefined, changed: false };
      const next = change(current);
      if (next === undefined) return { companion: current, changed: false };
      const saved = await writeOrRetry(() => this.deps.companions.replace({ ...next, updated: this.deps.clock.now().toISOString() }));
      return { companion: saved, changed: true };
    });
    if (visible && result.changed && result.companion !== undefined) {
      await publishCompanionEvent(this.deps, 'companion.updated', result.companion);
    }
    return result;
  }

  /**
   * Takes the steps after the views are stored that are due now: `generationCompleted → readyToUse` once every view
   * can be served, then `readyToUse → completed` (at once for a companion, with a ready voice for a twin).
   */
  async advance(companion: Companion): Promise<Companion | undefined> {
    let current: Companion | undefined = companion;
    if (current.status === 'generationCompleted') {
      await this.assertViewsServable(current);
      current = (await this.update(current, (c) => (c.status === 'generationCompleted' ? { ...c, status: 'readyToUse' } : undefined), true)).companion;
    }
    return current === undefined ? undefined : this.complete(current);
  }

  /** `readyToUse → completed` when it is due (see mayComplete); otherwise the companion as it is. */
  async complete(companion: Companion): Promise<Companion | undefined> {
    if (!mayComplete(companion)) return companion;
    return (await this.update(companion, (c) => (mayComplete(c) ? { ...c, status: 'completed' } : undefined), true)).companion;
  }

  /**
   * Marks the companion failed unless it already reached a state `stillFailable` rules out (a completed companion
   * stays completed; a failed one keeps its first reason).
   */
  async fail(
    companion: Companion,
    failureReason: string,
    warning: CompanionWarning,
    stillFailable: (c: Companion) => boolean,
    voiceFailureReason?: string,
  ): Promise<UpdateResult> {
    return this.update(
      companion,
      (c) => {
        if (c.status === 'failed' || c.status === 'completed' || !stillFailable(c)) return undefined;
        return {
          ...c,
          status: 'failed',
          failureReason,
          warnings: mergeWarnings(c.warnings, [warning]),
          ...(voiceFailureReason !== undefined && c.voice !== undefined
            ? { voice: { status: 'failed' as const, failureReason: voiceFailureReason } }
            : {}),
        };
      },
      true,
    );
  }

  /** Servable means stored with the recorded type and some bytes: what the asset route will stream. */
  private async assertViewsServable(companion: Companion): Promise<void> {
    const views = Object.entries(companion.avatar.views);
    if (views.length === 0) throw new Error(`companion ${companion.id} reached generationCompleted without views`);
    for (const [name, view] of views) {
      const info = await this.deps.assetStore.info(view.blobPath);
      if (info === undefined || info.contentLength === 0 || info.contentType !== view.contentType) {
        // Thrown, not recorded: the queue retries the job, and exhausted retries fail the companion.
        throw new Error(`the ${name} view of companion ${companion.id} is not stored as recorded`);
      }
    }
  }
}

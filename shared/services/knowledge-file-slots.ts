import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../domain/clock.js';
import { BadRequestError, NotFoundError } from '../domain/errors.js';
import { MAX_FILES_PER_KNOWLEDGE_BASE, type KnowledgeBase } from '../domain/knowledge/knowledge-base.js';
import type { KnowledgeBaseRepository } from '../domain/knowledge/knowledge-base-repository.js';
import { holdsSlot } from '../domain/knowledge/knowledge-file-lifecycle.js';
import type { KnowledgeFileRepository } from '../domain/knowledge/knowledge-file-repository.js';
import { withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';

export interface KnowledgeFileSlotsDeps {
  readonly knowledgeBases: KnowledgeBaseRepository;
  readonly knowledgeFiles: KnowledgeFileRepository;
  readonly clock: Clock;
}

/**
 * Enough rounds for every request of a burst as large as the limit to win one: each round of conditional writes on
 * the base has exactly one winner.
 */
const RESERVE_ATTEMPTS = MAX_FILES_PER_KNOWLEDGE_BASE + 10;

/**
 * A slot whose file was never created (the request died between the two writes) is given back after this long; a
 * live request creates its file within seconds.
 */
const ORPHANED_SLOT_MS = 10 * 60 * 1000;

const limitReached = () =>
  new BadRequestError(
    'KnowledgeBaseFileLimitReached',
    `A knowledge base holds at most ${MAX_FILES_PER_KNOWLEDGE_BASE} files; delete one before adding another.`,
  );

/**
 * The per-base file limit, kept under concurrency: a file takes a slot on its base with an ETag-conditional write
 * before it is created, and gives it back once it is deleted. Counting files instead would let two requests at 29
 * both see room.
 */
export class KnowledgeFileSlots {
  constructor(private readonly deps: KnowledgeFileSlotsDeps) {}

  /** Takes a slot for `fileId`, or refuses with KnowledgeBaseFileLimitReached; NotFound for a base gone or going. */
  async reserve(projectId: string, baseId: string, fileId: string): Promise<KnowledgeBase> {
    let attempt = 0;
    return withOptimisticRetry(async () => {
      attempt += 1;
      // Spreads the retries of a burst, so that rounds are not lost to requests that collide again at once.
      if (attempt > 1) await sleep(randomInt(0, 5 + 5 * Math.min(attempt, 10)));
      const base = await this.deps.knowledgeBases.get(projectId, baseId);
      if (base === undefined || base.deletingSince !== undefined) throw new NotFoundError('Knowledge base');
      if (base.fileSlots.some((slot) => slot.fileId === fileId)) return base;
      let slots = base.fileSlots;
      if (slots.length >= MAX_FILES_PER_KNOWLEDGE_BASE) {
        slots = await this.withoutOrphans(base);
        if (slots.length >= MAX_FILES_PER_KNOWLEDGE_BASE) throw limitReached();
      }
      const now = this.deps.clock.now().toISOString();
      return writeOrRetry(() =>
        this.deps.knowledgeBases.replace({ ...base, fileSlots: [...slots, { fileId, reservedAt: now }], updated: now }),
      );
    }, RESERVE_ATTEMPTS);
  }

  /** Gives the slot of a deleted (or never created) file back; a base gone or a slot already free is fine. */
  async release(projectId: string, baseId: string, fileId: string): Promise<void> {
    await withOptimisticRetry(async () => {
      const base = await this.deps.knowledgeBases.get(projectId, baseId);
      if (base === undefined || !base.fileSlots.some((slot) => slot.fileId === fileId)) return;
      await writeOrRetry(() =>
        this.deps.knowledgeBases.replace({
          ...base,
          fileSlots: base.fileSlots.filter((slot) => slot.fileId !== fileId),
          updated: this.deps.clock.now().toISOString(),
        }),
      );
    }, RESERVE_ATTEMPTS);
  }

  /**
   * The base's slots less those held for files that were never created and will not be, and for files whose upload
   * expired (the sweep gives those back itself; this catches one it could not, e.g. after a crash).
   */
  private async withoutOrphans(base: KnowledgeBase): Promise<KnowledgeBase['fileSlots']> {
    const cutoff = this.deps.clock.now().getTime() - ORPHANED_SLOT_MS;
    const old = base.fileSlots.filter((slot) => Date.parse(slot.reservedAt) < cutoff);
    if (old.length === 0) return base.fileSlots;
    const files = await this.deps.knowledgeFiles.listAll(base.projectId, base.id);
    const existing = new Set(files.filter(holdsSlot).map((file) => file.id));
    return base.fileSlots.filter((slot) => existing.has(slot.fileId) || Date.parse(slot.reservedAt) >= cutoff);
  }
}

import {
  clientMemoryOf,
  emptyClientMemory,
  hasContributionOf,
  isEmptyClientMemory,
  mergeSessionContribution,
  removeSessionContribution,
  type ClientMemoryKey,
  type ClientMemoryRecord,
  type ClientMemoryRepository,
  type MemoryExtractionJob,
  type MemoryExtractionQueue,
  type NewClientMemoryRecord,
  type SessionContribution,
} from '../domain/client-memory.js';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../domain/logger.js';
import { hasUserWords, type MemoryExtractor } from '../domain/memory-extraction.js';
import type { ClientMemory } from '../domain/session-assembly.js';
import type { Session, SessionRepository } from '../domain/session.js';
import { withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';

export interface ClientMemoryServiceDeps {
  readonly sessions: SessionRepository;
  readonly clientMemories: ClientMemoryRepository;
  readonly memoryQueue: MemoryExtractionQueue;
  readonly memoryExtractor: MemoryExtractor;
  readonly clock: Clock;
  readonly logger: Logger;
}

type MemorySessionFields = Pick<Session, 'projectId' | 'companionId' | 'externalClientId' | 'id'>;

function keyOf(session: MemorySessionFields & { externalClientId: string }): ClientMemoryKey {
  return { projectId: session.projectId, companionId: session.companionId, externalClientId: session.externalClientId };
}

/**
 * Memory of the person behind an `externalClientId`, per companion: a closed session's transcript is queued for
 * extraction (`session-memory`), the queue-triggered job merges what it found into the person's record, the next
 * session's assembly reads it, and deleting a session removes what it contributed. Every step is idempotent: the
 * record holds each session's contribution under the session's id, so a repeated job replaces it and a repeated
 * deletion finds nothing left to remove.
 */
export class ClientMemoryService {
  constructor(private readonly deps: ClientMemoryServiceDeps) {}

  /** Queues the extraction of a closed session's memory; nothing for a session without an externalClientId or words. */
  async enqueueExtraction(session: Session): Promise<void> {
    if (session.externalClientId === undefined || !hasUserWords(session.transcript)) return;
    await this.deps.memoryQueue.send({ projectId: session.projectId, sessionId: session.id });
  }

  /**
   * The `session-memory` job: extracts the session's memory and merges it into the person's record, in place of
   * whatever the same session contributed before. Skipped for a session that is gone, still open, anonymous or
   * silent, or whose extraction found nothing (an earlier contribution of it is then removed).
   */
  async extract(ref: MemoryExtractionJob): Promise<'stored' | 'skipped'> {
    const session = await this.deps.sessions.get(ref.projectId, ref.sessionId);
    if (session === undefined || session.status !== 'closed') return 'skipped';
    const { externalClientId } = session;
    if (externalClientId === undefined || !hasUserWords(session.transcript)) return 'skipped';
    const extracted = await this.deps.memoryExtractor.extract({
      projectId: session.projectId,
      sessionId: session.id,
      keyId: session.keyId,
      hosting: session.hosting,
      language: session.assembled.language,
      transcript: session.transcript,
    });
    const contribution: SessionContribution = {
      sessionId: session.id,
      at: session.closedAt ?? session.createdAt,
      summary: extracted.summary,
      facts: extracted.facts,
    };
    const key = keyOf({ ...session, externalClientId });
    const written = await this.write(key, (record) => mergeSessionContribution(record, contribution, this.deps.clock.now()));
    // A deletion of the session that ran while this job was extracting has already forgotten it; take it out again.
    if ((await this.deps.sessions.get(ref.projectId, ref.sessionId)) === undefined) {
      await this.forgetSession(session);
      return 'skipped';
    }
    return written !== undefined && hasContributionOf(written, session.id) ? 'stored' : 'skipped';
  }

  /** What the assembly of a new session with this person and companion is given; undefined for a first conversation. */
  async memoryFor(projectId: string, companionId: string, externalClientId: string): Promise<ClientMemory | undefined> {
    const record = await this.deps.clientMemories.get({ projectId, companionId, externalClientId });
    if (record === undefined || isEmptyClientMemory(record)) return undefined;
    return clientMemoryOf(record);
  }

  /** Removes what the session contributed; the record goes when nothing is left. Idempotent. */
  async forgetSession(session: MemorySessionFields): Promise<void> {
    const { externalClientId } = session;
    if (externalClientId === undefined) return;
    await this.write(keyOf({ ...session, externalClientId }), (record) =>
      hasContributionOf(record, session.id) ? removeSessionContribution(record, session.id, this.deps.clock.now()) : undefined,
    );
  }

  /**
   * A read-modify-write of the person's record, retried when another writer got there first. `change` answers the
   * new record, or undefined to leave it as it is; an empty record is deleted (or never created). Answers the record
   * as stored, or undefined when none is stored.
   */
  private async write(
    key: ClientMemoryKey,
    change: (record: NewClientMemoryRecord) => NewClientMemoryRecord | undefined,
  ): Promise<ClientMemoryRecord | undefined> {
    return withOptimisticRetry(async () => {
      const current = await this.deps.clientMemories.get(key);
      const next = change(current ?? emptyClientMemory(key, this.deps.clock.now()));
      if (next === undefined) return current;
      if (isEmptyClientMemory(next)) {
        if (current !== undefined) {
          const etag = current.etag;
          await writeOrRetry(() => this.deps.clientMemories.delete(key, etag));
        }
        return undefined;
      }
      return writeOrRetry(() => this.deps.clientMemories.put(next, current?.etag));
    });
  }
}

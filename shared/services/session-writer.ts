import type { EventPublisher } from '../domain/event-publisher.js';
import type { Logger } from '../domain/logger.js';
import { NotFoundError } from '../domain/errors.js';
import type { Session, SessionRepository } from '../domain/session.js';
import { sessionWebhookEventOf, type SessionEventType } from '../domain/session-webhook-events.js';
import { withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';

/** What happens once a session's close is stored: releasing its concurrency slot, memory, usage. */
export type SessionClosedHook = (session: Session) => Promise<void>;

export interface SessionWriterDeps {
  readonly sessions: SessionRepository;
  readonly events: EventPublisher;
  readonly logger: Logger;
}

/**
 * Every write of a session goes through here: a read-modify-write retried on a lost race, after which the start and
 * the close are announced (webhook events) and the close hooks run. Because only the write that changed the status
 * announces it, a start or a close is announced once however many requests race.
 */
export class SessionWriter {
  private readonly closedHooks: SessionClosedHook[] = [];

  constructor(private readonly deps: SessionWriterDeps) {}

  onClosed(hook: SessionClosedHook): void {
    this.closedHooks.push(hook);
  }

  /**
   * `change` returns the new session, or undefined to write nothing. `known`, a session read earlier in the same
   * request, is tried first; a lost race reads again. Returns what was written (or undefined).
   */
  async commit(
    projectId: string,
    sessionId: string,
    change: (latest: Session) => Session | undefined,
    known?: Session,
  ): Promise<{ before: Session; after: Session } | undefined> {
    let first = known;
    const written = await withOptimisticRetry(async () => {
      const latest = first ?? (await this.deps.sessions.get(projectId, sessionId));
      first = undefined;
      if (latest === undefined) throw new NotFoundError('Session');
      const next = change(latest);
      if (next === undefined) return undefined;
      const after = await writeOrRetry(() => this.deps.sessions.replace(next));
      return { before: latest, after };
    });
    if (written !== undefined) await this.announce(written.before, written.after);
    return written;
  }

  private async announce(before: Session, after: Session): Promise<void> {
    if (before.status === 'pending' && after.status !== 'pending' && after.startedAt !== undefined) await this.publish('session.started', after);
    const wasOpen = before.status === 'pending' || before.status === 'started';
    if (wasOpen && after.status === 'closed') {
      await this.publish('session.closed', after);
      for (const hook of this.closedHooks) {
        try {
          await hook(after);
        } catch (err) {
          // The close stands; the sweeper's reconciliation and the hooks' own retries cover what failed here.
          this.deps.logger.error('a session close hook failed', { sessionId: after.id, projectId: after.projectId, err });
        }
      }
    }
  }

  private async publish(type: SessionEventType, session: Session): Promise<void> {
    const event = sessionWebhookEventOf(type, session);
    try {
      await this.deps.events.publish(event);
    } catch (err) {
      this.deps.logger.error('a session event could not be queued for webhook delivery', { eventId: event.id, type, sessionId: session.id, err });
    }
  }
}

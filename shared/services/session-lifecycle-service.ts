import { randomUUID } from 'node:crypto';
import { maySeeSession, type ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { Clock } from '../domain/clock.js';
import { BadRequestError, NotFoundError } from '../domain/errors.js';
import type { Logger } from '../domain/logger.js';
import type { Page, PageRequest } from '../domain/page.js';
import type { Session, SessionListFilter, SessionRepository, SessionSummary } from '../domain/session.js';
import { dueWork, isOpen, withActivity, withWarningsSent, type CloseReason } from '../domain/session-lifecycle.js';
import type { SessionEventQueue, SessionMediaEvent } from '../domain/session-media-event.js';
import { streamEventsAfter, withStreamEvents, type SessionStreamEvent } from '../domain/session-stream.js';
import { closeWithEvent } from './session-service.js';
import { invalidSessionToken, type SessionTokenClaims, type SessionTokens } from './session-tokens.js';
import type { SessionWriter } from './session-writer.js';
import type { ClientMemoryService } from './client-memory-service.js';

export interface SessionLifecycleDeps {
  readonly sessions: SessionRepository;
  readonly writer: SessionWriter;
  readonly sessionEvents: SessionEventQueue;
  readonly sessionTokens: SessionTokens;
  readonly memory: Pick<ClientMemoryService, 'forgetSession'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Sessions one sweep looks at; a backlog larger than this is worked off by the next sweeps. */
export const SWEEP_BATCH = 200;
/** Sessions one sweep works on at once. */
const SWEEP_CONCURRENCY = 8;

export interface SweepResult {
  readonly examined: number;
  readonly warned: number;
  readonly closed: number;
}

export interface StreamOptions {
  readonly lastEventId?: number | undefined;
  /** How often the stream looks for new events. */
  readonly pollMs?: number;
  /** The stream ends after this long (clients reconnect with Last-Event-ID); under the platform's HTTP limit. */
  readonly maxDurationMs?: number;
  /** A comment line this often keeps proxies from closing a quiet stream. */
  readonly heartbeatMs?: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Everything about a session's life outside its turns: the close by the client, the activity signal, the events of a
 * media tier (the session-events queue), the sweeper that warns and closes, lists, deletion, token renewal and the
 * event stream.
 */
export class SessionLifecycleService {
  constructor(private readonly deps: SessionLifecycleDeps) {}

  /** `DELETE /public/connections/{id}`: ends a live session (not_started if it never started); idempotent. */
  async endConnection(principal: ApiKeyPrincipal, sessionId: string): Promise<Session> {
    const session = await this.sessionOf(principal.projectId, sessionId);
    if (!maySeeSession(principal, session)) throw new NotFoundError('Session');
    if (!isOpen(session)) return session;
    const written = await this.deps.writer.commit(
      principal.projectId,
      sessionId,
      (latest) => closeWithEvent(latest, this.deps.clock.now(), latest.status === 'pending' ? 'not_started' : 'connection_closed'),
      session,
    );
    return written?.after ?? (await this.sessionOf(principal.projectId, sessionId));
  }

  async list(principal: ApiKeyPrincipal, filter: SessionListFilter, page: PageRequest): Promise<Page<SessionSummary>> {
    const scope = principal.dashboardRole === 'member' ? { ...filter, keyId: principal.keyId } : filter;
    return this.deps.sessions.list(principal.projectId, scope, page);
  }

  /**
   * Only a closed session can be deleted (400 SessionNotClosed); its transcript goes with it, and so does what memory
   * took from it: first (a failure leaves the session for a retried DELETE), and again after, for a memory job that
   * merged in between.
   */
  async delete(principal: ApiKeyPrincipal, sessionId: string): Promise<void> {
    const session = await this.deps.sessions.get(principal.projectId, sessionId);
    if (session === undefined) return;
    if (isOpen(session)) throw new BadRequestError('SessionNotClosed', 'Only a closed session can be deleted; end it with DELETE /public/connections/{id} first.');
    await this.deps.memory.forgetSession(session);
    await this.deps.sessions.delete(principal.projectId, sessionId, session.etag);
    await this.deps.memory.forgetSession(session);
  }

  /** `POST /public/sessions/{id}/activity`: the user is still there. Queued like a media tier's activity events. */
  async reportActivity(claims: SessionTokenClaims, sessionId: string): Promise<void> {
    if (claims.sessionId !== sessionId) throw invalidSessionToken();
    await this.deps.sessionEvents.send({
      eventId: `act_${randomUUID()}`,
      type: 'activity',
      projectId: claims.projectId,
      sessionId,
      at: this.deps.clock.now().toISOString(),
    });
  }

  /** A new token for an open session, for sessions that last longer than a token (session token as bearer). */
  async renewToken(claims: SessionTokenClaims, sessionId: string): Promise<{ token: string; expiresAt: Date }> {
    if (claims.sessionId !== sessionId) throw invalidSessionToken();
    const session = await this.sessionOf(claims.projectId, sessionId);
    if (!isOpen(session)) throw new BadRequestError('SessionClosed', `The session is ${session.status}; open a new connection.`);
    return this.deps.sessionTokens.issue({ sessionId, projectId: session.projectId, orgId: session.orgId }, this.deps.clock.now());
  }

  /** The queue-triggered owner of state: started and activity start or refresh the session, closed ends it. */
  async applyEvent(event: SessionMediaEvent): Promise<'applied' | 'ignored'> {
    const at = new Date(event.at);
    const written = await this.deps.writer
      .commit(event.projectId, event.sessionId, (latest) => {
        if (!isOpen(latest)) return undefined;
        if (event.type === 'closed') return closeWithEvent(latest, at, event.closeReason ?? 'connection_closed');
        // A start or an activity after a close that is already due does not revive the session: it closes it.
        const due = dueWork(latest, at).close;
        if (due !== undefined) return closeWithEvent(latest, due.at, due.reason);
        const next = withActivity(latest, at);
        return JSON.stringify(next) === JSON.stringify(latest) ? undefined : next;
      })
      .catch((err: unknown) => {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      });
    return written === undefined ? 'ignored' : 'applied';
  }

  /**
   * The timer-triggered sweep: open sessions whose next check has come get their idle warning, or are closed
   * (connection_timeout, idle_timeout, session_expired). Nothing stays open forever, whatever clients do.
   */
  async sweep(limit = SWEEP_BATCH): Promise<SweepResult> {
    const now = this.deps.clock.now();
    const due = await this.deps.sessions.listDue(now, limit);
    let warned = 0;
    let closed = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < due.length) {
        const session = due[next++]!;
        try {
          const outcome = await this.sweepOne(session, now);
          if (outcome === 'warned') warned += 1;
          if (outcome === 'closed') closed += 1;
        } catch (err) {
          this.deps.logger.error('the sweeper could not update a session', { sessionId: session.id, projectId: session.projectId, err });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SWEEP_CONCURRENCY, due.length) }, worker));
    return { examined: due.length, warned, closed };
  }

  private async sweepOne(session: Session, now: Date): Promise<'warned' | 'closed' | 'none'> {
    let outcome: 'warned' | 'closed' | 'none' = 'none';
    await this.deps.writer.commit(
      session.projectId,
      session.id,
      (latest) => {
        outcome = 'none';
        const work = dueWork(latest, now);
        if (work.close !== undefined) {
          outcome = 'closed';
          return closeWithEvent(latest, work.close.at, work.close.reason);
        }
        if (work.warnings.length > 0) {
          outcome = 'warned';
          const closesAt = latest.lastActivityAt ?? latest.startedAt ?? latest.createdAt;
          const idle = latest.assembled.idleTimeoutSeconds ?? 0;
          return withStreamEvents(
            withWarningsSent(latest, work.warnings),
            work.warnings.map((w) => ({
              type: 'avatar_connection_warning' as const,
              at: now.toISOString(),
              data: { disconnect_after: w, closesAt: new Date(Date.parse(closesAt) + idle * 1000).toISOString() },
            })),
          );
        }
        // Nothing due after all (activity moved the clock): only the next check time may need to move.
        return undefined;
      },
      session,
    );
    return outcome;
  }

  /**
   * The session's events after `lastEventId`, then new ones as they are stored, until the session closes (after
   * `session_closed`), the time limit passes or the client goes. Works across instances: it reads the session.
   */
  async *stream(claims: SessionTokenClaims, sessionId: string, options: StreamOptions = {}): AsyncGenerator<SessionStreamEvent | 'open' | 'heartbeat'> {
    if (claims.sessionId !== sessionId) throw invalidSessionToken();
    // First the access check, so the caller can answer a problem before the stream starts.
    await this.sessionOf(claims.projectId, sessionId);
    yield 'open';
    const pollMs = options.pollMs ?? 500;
    const heartbeatMs = options.heartbeatMs ?? 15_000;
    const endAt = Date.now() + (options.maxDurationMs ?? 200_000);
    let lastSeen = options.lastEventId;
    let lastSent = Date.now();
    for (;;) {
      const session = await this.sessionOf(claims.projectId, sessionId);
      for (const event of streamEventsAfter(session, lastSeen)) {
        yield event;
        lastSeen = event.id;
        lastSent = Date.now();
        if (event.type === 'session_closed') return;
      }
      if (!isOpen(session) || Date.now() >= endAt || options.signal?.aborted === true) return;
      if (Date.now() - lastSent >= heartbeatMs) {
        yield 'heartbeat';
        lastSent = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /** Closes a session for another part of the service (e.g. a subscription that ends); idempotent. */
  async close(projectId: string, sessionId: string, reason: CloseReason): Promise<void> {
    await this.deps.writer.commit(projectId, sessionId, (latest) => closeWithEvent(latest, this.deps.clock.now(), reason));
  }

  private async sessionOf(projectId: string, sessionId: string): Promise<Session> {
    const session = await this.deps.sessions.get(projectId, sessionId);
    if (session === undefined) throw new NotFoundError('Session');
    return session;
  }
}

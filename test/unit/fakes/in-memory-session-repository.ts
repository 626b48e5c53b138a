import type { ConnectionRateLimiter, OpenSessionSlot, SessionSlotStore } from '../../../shared/domain/session-admission.js';
import type { SessionEventQueue, SessionMediaEvent } from '../../../shared/domain/session-media-event.js';
import type { FunctionCallTimeouts, PendingWaitRef } from '../../../shared/services/session-service.js';
import { randomUUID } from 'node:crypto';
import { ConflictError, PreconditionFailedError } from '../../../shared/domain/errors.js';
import { pageOfArray, type Page, type PageRequest } from '../../../shared/domain/page.js';
import type { ChannelType, NewSession, Session, SessionListFilter, SessionRepository, SessionSummary } from '../../../shared/domain/session.js';

/** Sessions in a map, with ETags that change on every write like Cosmos DB's. */
export class InMemorySessionRepository implements SessionRepository {
  private readonly sessions = new Map<string, Session>();

  async get(projectId: string, sessionId: string): Promise<Session | undefined> {
    const session = this.sessions.get(sessionId);
    return session?.projectId === projectId ? structuredClone(session) : undefined;
  }

  async create(session: NewSession): Promise<Session> {
    if (this.sessions.has(session.id)) throw new ConflictError('The session already exists.');
    const stored = { ...structuredClone(session), etag: randomUUID() };
    this.sessions.set(session.id, stored);
    return structuredClone(stored);
  }

  async replace(session: Session): Promise<Session> {
    const current = this.sessions.get(session.id);
    if (current === undefined || current.etag !== session.etag) throw new PreconditionFailedError();
    const stored = { ...structuredClone(session), etag: randomUUID() };
    this.sessions.set(session.id, stored);
    return structuredClone(stored);
  }

  async list(projectId: string, filter: SessionListFilter, page: PageRequest): Promise<Page<SessionSummary>> {
    const ofProject = [...this.sessions.values()].filter((s) => s.projectId === projectId && (filter.keyId === undefined || s.keyId === filter.keyId));
    const matches = ofProject
      .filter((s) => filter.companionId === undefined || s.companionId === filter.companionId)
      .filter((s) => filter.externalClientId === undefined || s.externalClientId === filter.externalClientId)
      .filter((s) => filter.status === undefined || s.status === filter.status)
      .filter((s) => Object.entries(filter.tags ?? {}).every(([key, value]) => s.tags[key] === value))
      .filter(
        (s) =>
          filter.search === undefined ||
          s.transcript.some((entry) => entry.text.toLowerCase().includes(filter.search!.toLowerCase())),
      )
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    const paged = pageOfArray(matches, page);
    return {
      ...paged,
      totalCount: ofProject.length,
      items: paged.items.map(({ transcript: _t, events: _e, assembled: _a, pendingTurn: _p, externalClientProfile: _x, ...summary }) => structuredClone(summary)),
    };
  }

  async listDue(now: Date, limit: number): Promise<Session[]> {
    return [...this.sessions.values()]
      .filter((s) => s.nextCheckAt !== undefined && Date.parse(s.nextCheckAt) <= now.getTime())
      .sort((a, b) => Date.parse(a.nextCheckAt!) - Date.parse(b.nextCheckAt!))
      .slice(0, limit)
      .map((s) => structuredClone(s));
  }

  async listOpenOfOrganization(orgId: string): Promise<Session[]> {
    return [...this.sessions.values()]
      .filter((s) => s.orgId === orgId && (s.status === 'pending' || s.status === 'started'))
      .map((s) => structuredClone(s));
  }

  async delete(projectId: string, sessionId: string, expectedEtag?: string): Promise<void> {
    const current = this.sessions.get(sessionId);
    if (current === undefined || current.projectId !== projectId) return;
    if (expectedEtag !== undefined && current.etag !== expectedEtag) throw new PreconditionFailedError();
    this.sessions.delete(sessionId);
  }
}

/** The timeout checks a test world scheduled, for the test to run when it moves its clock past them. */
export class RecordingFunctionCallTimeouts implements FunctionCallTimeouts {
  readonly scheduled: { wait: PendingWaitRef; at: Date }[] = [];

  async schedule(wait: PendingWaitRef, at: Date): Promise<void> {
    this.scheduled.push({ wait, at });
  }
}

/** The session events a test world queued. */
export class RecordingSessionEventQueue implements SessionEventQueue {
  readonly sent: SessionMediaEvent[] = [];

  async send(event: SessionMediaEvent): Promise<void> {
    this.sent.push(event);
  }
}

/** Connection request slots per key and second, as the Cosmos limiter keeps them. */
export class InMemoryConnectionRateLimiter implements ConnectionRateLimiter {
  private readonly taken = new Set<string>();

  async tryAcquire(keyId: string, perSecond: number, now: Date): Promise<boolean> {
    const second = Math.floor(now.getTime() / 1000);
    for (let slot = 0; slot < perSecond; slot += 1) {
      const id = `${keyId}:${second}:${slot}`;
      if (!this.taken.has(id)) {
        this.taken.add(id);
        return true;
      }
    }
    return false;
  }
}

/** Open-session slots per organization and channel type. */
export class InMemorySessionSlotStore implements SessionSlotStore {
  private readonly slots = new Map<string, OpenSessionSlot[]>();

  async tryReserve(orgId: string, channelType: ChannelType, slot: OpenSessionSlot, limit: number): Promise<boolean> {
    const held = this.slots.get(`${orgId}|${channelType}`) ?? [];
    if (held.length >= limit) return false;
    this.slots.set(`${orgId}|${channelType}`, [...held, slot]);
    return true;
  }

  async held(orgId: string, channelType: ChannelType): Promise<readonly OpenSessionSlot[]> {
    return [...(this.slots.get(`${orgId}|${channelType}`) ?? [])];
  }

  async release(orgId: string, channelType: ChannelType, sessionIds: readonly string[]): Promise<void> {
    const gone = new Set(sessionIds);
    this.slots.set(`${orgId}|${channelType}`, (this.slots.get(`${orgId}|${channelType}`) ?? []).filter((s) => !gone.has(s.sessionId)));
  }
}

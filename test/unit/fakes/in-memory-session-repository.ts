import { randomUUID } from 'node:crypto';
import { ConflictError, PreconditionFailedError } from '../../../shared/domain/errors.js';
import type { NewSession, Session, SessionRepository } from '../../../shared/domain/session.js';

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
}

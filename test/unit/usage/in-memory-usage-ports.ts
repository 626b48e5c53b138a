import { randomUUID } from 'node:crypto';
import { ConflictError, PreconditionFailedError } from '../../../shared/domain/errors.js';
import type {
  NewUsageContribution,
  NewUsageHour,
  SessionRef,
  UsageContribution,
  UsageContributionRepository,
  UsageEventMessage,
  UsageEventQueue,
  UsageHour,
  UsageHourRepository,
  UsageSessionSource,
} from '../../../shared/domain/usage.js';
import type { UsageDimension } from '../../../shared/domain/usage-prices.js';

/** Usage stores with the semantics of the Cosmos ones: create-only, ETag-conditional replace, copies out. */
export class InMemoryUsageContributions implements UsageContributionRepository {
  readonly documents = new Map<string, UsageContribution>();
  private readonly keyOf = (sessionId: string, hour: string) => `${sessionId}|${hour}`;

  async get(sessionId: string, hour: string): Promise<UsageContribution | undefined> {
    const found = this.documents.get(this.keyOf(sessionId, hour));
    return found === undefined ? undefined : structuredClone(found);
  }

  async listForSession(sessionId: string): Promise<UsageContribution[]> {
    return [...this.documents.values()].filter((c) => c.sessionId === sessionId).map((c) => structuredClone(c));
  }

  async listForHour(hour: string): Promise<UsageContribution[]> {
    return [...this.documents.values()].filter((c) => c.hour === hour).map((c) => structuredClone(c));
  }

  async create(contribution: NewUsageContribution): Promise<UsageContribution> {
    const key = this.keyOf(contribution.sessionId, contribution.hour);
    if (this.documents.has(key)) throw new ConflictError('exists');
    const stored = { ...structuredClone(contribution), etag: randomUUID() };
    this.documents.set(key, stored);
    return structuredClone(stored);
  }

  async replace(contribution: UsageContribution): Promise<UsageContribution> {
    const key = this.keyOf(contribution.sessionId, contribution.hour);
    if (this.documents.get(key)?.etag !== contribution.etag) throw new PreconditionFailedError();
    const stored = { ...structuredClone(contribution), etag: randomUUID() };
    this.documents.set(key, stored);
    return structuredClone(stored);
  }
}

export class InMemoryUsageHours implements UsageHourRepository {
  readonly documents = new Map<string, UsageHour>();
  readonly settled = new Set<string>();
  /** Makes the next `n` replaces fail as if the process died just before them. */
  failReplaces = 0;
  private readonly keyOf = (scope: string, dimension: UsageDimension, hour: string) => `${scope}|${dimension}|${hour}`;

  async get(scope: string, dimension: UsageDimension, hour: string): Promise<UsageHour | undefined> {
    const found = this.documents.get(this.keyOf(scope, dimension, hour));
    return found === undefined ? undefined : structuredClone(found);
  }

  async create(hour: NewUsageHour): Promise<UsageHour> {
    const key = this.keyOf(hour.scope, hour.dimension, hour.hour);
    if (this.documents.has(key)) throw new ConflictError('exists');
    const stored = { ...structuredClone(hour), etag: randomUUID() };
    this.documents.set(key, stored);
    return structuredClone(stored);
  }

  async replace(hour: UsageHour): Promise<UsageHour> {
    if (this.failReplaces > 0) {
      this.failReplaces -= 1;
      throw new Error('the process died');
    }
    const key = this.keyOf(hour.scope, hour.dimension, hour.hour);
    if (this.documents.get(key)?.etag !== hour.etag) throw new PreconditionFailedError();
    const stored = { ...structuredClone(hour), etag: randomUUID() };
    this.documents.set(key, stored);
    return structuredClone(stored);
  }

  async listScope(scope: string, from: string, to: string): Promise<UsageHour[]> {
    return [...this.documents.values()].filter((h) => h.scope === scope && h.hour >= from && h.hour < to).sort((a, b) => a.hour.localeCompare(b.hour));
  }

  async listResourceHours(hour: string): Promise<UsageHour[]> {
    return [...this.documents.values()].filter((h) => h.hour === hour && h.scope.startsWith('resource:'));
  }

  async listHour(hour: string): Promise<UsageHour[]> {
    return [...this.documents.values()].filter((h) => h.hour === hour);
  }

  async markSettled(hour: string): Promise<boolean> {
    if (this.settled.has(hour)) return false;
    this.settled.add(hour);
    return true;
  }

  async isSettled(hour: string): Promise<boolean> {
    return this.settled.has(hour);
  }
}

export class RecordingUsageQueue implements UsageEventQueue {
  readonly messages: UsageEventMessage[] = [];
  async send(message: UsageEventMessage): Promise<void> {
    this.messages.push(message);
  }
}

/** Sessions as the snapshot and the settling find them, from a list the test keeps. */
export class ListedSessions implements UsageSessionSource {
  constructor(readonly sessions: { projectId: string; id: string; status: string; startedAt?: string | undefined; closedAt?: string | undefined }[]) {}

  async listOpenStartedBefore(before: string): Promise<SessionRef[]> {
    return this.sessions
      .filter((s) => s.status === 'started' && s.startedAt !== undefined && s.startedAt < before)
      .map((s) => ({ projectId: s.projectId, sessionId: s.id, open: true }));
  }

  async listActiveBetween(from: string, to: string): Promise<SessionRef[]> {
    return this.sessions
      .filter((s) => s.startedAt !== undefined && s.startedAt < to && (s.status === 'started' || (s.closedAt !== undefined && s.closedAt > from)))
      .map((s) => ({ projectId: s.projectId, sessionId: s.id, open: s.status === 'started' }));
  }
}

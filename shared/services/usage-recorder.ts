import { billingResourceOf, type BillingResource } from '../domain/billing-resource.js';
import type { Clock } from '../domain/clock.js';
import { ConflictError, PreconditionFailedError } from '../domain/errors.js';
import type { Logger } from '../domain/logger.js';
import type { OrganizationRepository } from '../domain/organization-repository.js';
import type { Session, SessionRepository } from '../domain/session.js';
import {
  hourSharesOf,
  hourStartOf,
  openSessionSecondsUntil,
  scopeKeyOf,
  withContribution,
  type HourShare,
  type NewUsageContribution,
  type NewUsageHour,
  type UsageContribution,
  type UsageContributionRepository,
  type UsageEventMessage,
  type UsageEventQueue,
  type UsageHourRepository,
  type UsageScope,
  type UsageSessionSource,
} from '../domain/usage.js';
import { dimensionOf } from '../domain/usage-prices.js';
import { withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';

export interface UsageRecorderDeps {
  readonly sessions: SessionRepository;
  readonly organizations: OrganizationRepository;
  readonly usageContributions: UsageContributionRepository;
  readonly usageHours: UsageHourRepository;
  readonly usageQueue: UsageEventQueue;
  readonly usageSessions: UsageSessionSource;
  readonly clock: Clock;
  readonly logger: Logger;
}

const AGGREGATE_WRITE_ATTEMPTS = 50;

export type RecordOutcome = 'recorded' | 'unchanged' | 'unknownSession' | 'notStarted';

/**
 * Turns sessions into usage. Whatever triggers it (the close, the hourly snapshot of open sessions, the settling of an
 * hour before submission, a repeated or late queue message), it reads the session as stored and derives its
 * contributions from it, so the figures depend only on the session, never on the messages.
 */
export class UsageRecorder {
  constructor(private readonly deps: UsageRecorderDeps) {}

  /** The close hook: queues the session for the `usage-events` function. */
  async enqueueClosed(session: Session): Promise<void> {
    if (session.startedAt === undefined || (session.activeSeconds ?? 0) === 0) return;
    await this.deps.usageQueue.send({ projectId: session.projectId, sessionId: session.id, reason: 'closed' });
  }

  /** The hourly snapshot: queues every open, started session that has time in a completed hour. */
  async snapshotOpenSessions(): Promise<number> {
    const boundary = new Date(hourStartOf(this.deps.clock.now().getTime())).toISOString();
    const open = await this.deps.usageSessions.listOpenStartedBefore(boundary);
    for (const ref of open) await this.deps.usageQueue.send({ projectId: ref.projectId, sessionId: ref.sessionId, reason: 'hourly' });
    return open.length;
  }

  /**
   * Records every session active in the hour starting at `hour` (before that hour is submitted) whose usage is not
   * already there: a session with no contribution to the hour, a partial one, or one its resource's or project's
   * aggregate does not hold at that revision. Open sessions are always recorded again. Three queries and a diff, so
   * settling costs little when the usage-events messages did their work.
   */
  async settleHour(hour: string): Promise<number> {
    const to = new Date(Date.parse(hour) + 3_600_000).toISOString();
    const [refs, contributions, aggregates] = await Promise.all([
      this.deps.usageSessions.listActiveBetween(hour, to),
      this.deps.usageContributions.listForHour(hour),
      this.deps.usageHours.listHour(hour),
    ]);
    const bySession = new Map(contributions.map((c) => [c.sessionId, c]));
    const byScope = new Map(aggregates.map((a) => [`${a.scope}|${a.dimension}`, a]));
    const holds = (scope: UsageScope, c: UsageContribution) => {
      const applied = byScope.get(`${scopeKeyOf(scope)}|${c.dimension}`)?.sessions[c.sessionId];
      return applied !== undefined && (applied.final || applied.revision >= c.revision);
    };
    let recorded = 0;
    for (const ref of refs) {
      const c = bySession.get(ref.sessionId);
      const upToDate =
        ref.open !== true &&
        c !== undefined &&
        c.final &&
        holds({ kind: 'resource', resourceId: c.resourceId }, c) &&
        holds({ kind: 'project', projectId: c.projectId }, c);
      if (upToDate) continue;
      await this.record(ref);
      recorded += 1;
    }
    return recorded;
  }

  /** The `usage-events` message: (re)derives the session's contributions and applies them to the aggregates. */
  async record(message: Pick<UsageEventMessage, 'projectId' | 'sessionId'>): Promise<RecordOutcome> {
    const session = await this.deps.sessions.get(message.projectId, message.sessionId);
    if (session === undefined) return 'unknownSession';
    if (session.startedAt === undefined) return 'notStarted';
    const closed = session.status === 'closed' || session.status === 'failed';
    const now = this.deps.clock.now();
    const shares: HourShare[] = closed
      ? hourSharesOf(session.startedAt, session.activeSeconds ?? 0, true)
      : hourSharesOf(session.startedAt, openSessionSecondsUntil(session.startedAt, now), false);

    // Which contributions exist. Partial ones are written oldest hour first, so a partial hour after the session's
    // last one can only exist when its last hour holds a partial contribution too: only then is the session's whole
    // partition listed (to take those hours back to zero); otherwise its hours are point reads.
    const known = new Map<string, UsageContribution | undefined>();
    const lastHour = shares.at(-1)?.hour;
    const last = lastHour === undefined ? undefined : await this.deps.usageContributions.get(session.id, lastHour);
    if (lastHour !== undefined) known.set(lastHour, last);
    const wanted = new Map(shares.map((share) => [share.hour, share]));
    const extra: HourShare[] = [];
    if (closed && (lastHour === undefined || (last !== undefined && !last.final))) {
      for (const c of await this.deps.usageContributions.listForSession(session.id)) {
        known.set(c.hour, c);
        // A partial hour the session turns out not to have reached (a close dated before a boundary that the snapshot
        // saw it open at) goes to zero.
        if (!wanted.has(c.hour) && !c.final) extra.push({ hour: c.hour, seconds: 0, minutes: 0 });
      }
    }
    let resource: BillingResource | undefined;
    const resourceNow = async (): Promise<BillingResource> => {
      if (resource !== undefined) return resource;
      const org = await this.deps.organizations.get(session.orgId);
      resource = org === undefined ? { resourceId: session.orgId, kind: 'organization' } : billingResourceOf(org);
      return resource;
    };

    let changed = false;
    // Hours going to zero first, then oldest first: the last hour, written last, says the rest is done.
    for (const share of [...extra, ...shares]) {
      const existing = known.has(share.hour) ? known.get(share.hour) : await this.deps.usageContributions.get(session.id, share.hour);
      const contribution = await this.upsertContribution(session, share, closed, existing, resourceNow, now);
      if (await this.apply(contribution, now)) changed = true;
    }
    if (!closed) {
      // A close that landed while this ran: its own message may have been handled before these partial writes.
      const again = await this.deps.sessions.get(message.projectId, message.sessionId);
      if (again !== undefined && (again.status === 'closed' || again.status === 'failed')) return this.record(message);
    }
    return changed ? 'recorded' : 'unchanged';
  }

  private async upsertContribution(
    session: Session,
    share: HourShare,
    final: boolean,
    known: UsageContribution | undefined,
    resourceNow: () => Promise<BillingResource>,
    now: Date,
  ): Promise<UsageContribution> {
    return withOptimisticRetry(async () => {
      const current = known ?? (await this.deps.usageContributions.get(session.id, share.hour));
      known = undefined;
      if (current !== undefined) {
        if (current.final) return current;
        if (!final && current.seconds === share.seconds && current.minutes === share.minutes) return current;
        // The hour stays with the resource it was first attributed to.
        return writeOrRetry(() =>
          this.deps.usageContributions.replace({
            ...current,
            seconds: share.seconds,
            minutes: share.minutes,
            final,
            revision: current.revision + 1,
            recordedAt: now.toISOString(),
          }),
        );
      }
      const resource = await resourceNow();
      const created: NewUsageContribution = {
        sessionId: session.id,
        hour: share.hour,
        projectId: session.projectId,
        orgId: session.orgId,
        resourceId: resource.resourceId,
        resourceKind: resource.kind,
        planId: resource.planId,
        dimension: dimensionOf(session.hosting),
        seconds: share.seconds,
        minutes: share.minutes,
        final,
        revision: 1,
        recordedAt: now.toISOString(),
      };
      try {
        return await this.deps.usageContributions.create(created);
      } catch (err) {
        // A concurrent recording created it first: read it and decide again.
        if (err instanceof ConflictError) return writeOrRetry(() => Promise.reject(new PreconditionFailedError()));
        throw err;
      }
    });
  }

  /** Applies a contribution to its resource's and its project's hour; true when either changed. */
  private async apply(contribution: NewUsageContribution, now: Date): Promise<boolean> {
    const scopes: UsageScope[] = [
      { kind: 'resource', resourceId: contribution.resourceId },
      { kind: 'project', projectId: contribution.projectId },
    ];
    let changed = false;
    for (const scope of scopes) {
      const key = scopeKeyOf(scope);
      const wrote = await withOptimisticRetry(async () => {
        const current = await this.deps.usageHours.get(key, contribution.dimension, contribution.hour);
        const base: NewUsageHour = current ?? {
          scope: key,
          dimension: contribution.dimension,
          hour: contribution.hour,
          orgId: contribution.orgId,
          ...(scope.kind === 'project'
            ? { projectId: contribution.projectId }
            : { resourceId: contribution.resourceId, resourceKind: contribution.resourceKind, planId: contribution.planId }),
          seconds: 0,
          minutes: 0,
          sessions: {},
          updatedAt: now.toISOString(),
        };
        const next = withContribution(base, contribution, now);
        if (next === undefined) return false;
        if (current === undefined) {
          try {
            await this.deps.usageHours.create(next);
          } catch (err) {
            if (err instanceof ConflictError) return writeOrRetry(() => Promise.reject(new PreconditionFailedError()));
            throw err;
          }
        } else {
          await writeOrRetry(() => this.deps.usageHours.replace({ ...next, etag: current.etag }));
        }
        return true;
        // Every session of a resource in an hour writes the same document: more tries than a single-writer update.
      }, AGGREGATE_WRITE_ATTEMPTS);
      if (wrote) changed = true;
    }
    return changed;
  }
}

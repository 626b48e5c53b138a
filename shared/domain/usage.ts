import { z } from 'zod';
import type { BillingResource } from './billing-resource.js';
import type { UsageDimension } from './usage-prices.js';

/**
 * Usage: active time of sessions per billing resource, dimension and UTC hour (README, Usage and metering).
 *
 * The unit is the **second**, an integer: a session's active seconds (`activeSeconds`, from its start to its close)
 * are split over the UTC hours they fall in, each whole second counting in the hour in which it ends. Billed
 * **minutes** are derived per session, once: a session's billed minutes are its active seconds rounded up to whole
 * minutes (`cost.billedMinutes`), and they are spread over its hours by whole minutes elapsed since its start: an hour
 * gets the minutes completed within it, and the hour in which the session ends also gets the final, partial minute.
 * The minutes of a session's hours so add up to exactly its `cost.billedMinutes`, and an hour's figures are sums of
 * whole numbers of its sessions: nothing is rounded after the split.
 */

export const HOUR_MS = 3_600_000;

export function hourStartOf(timeMs: number): number {
  return Math.floor(timeMs / HOUR_MS) * HOUR_MS;
}

/** An hour's key: the ISO time of its start, e.g. `2026-11-21T10:00:00.000Z`. */
export function hourKeyOf(timeMs: number): string {
  return new Date(hourStartOf(timeMs)).toISOString();
}

export interface HourShare {
  /** The hour's start (ISO). */
  readonly hour: string;
  readonly seconds: number;
  readonly minutes: number;
}

/**
 * A session's active time split over UTC hours. `activeSeconds` counts from `startedAt`; with `final` (a closed
 * session) the last hour also gets the session's partial last minute, so the minutes add up to
 * ceil(activeSeconds / 60); without it (an open session's time so far, up to an hour boundary) only whole minutes
 * count, which are exactly what the final split will give those hours.
 */
export function hourSharesOf(startedAt: string, activeSeconds: number, final: boolean): HourShare[] {
  if (!(activeSeconds > 0)) return [];
  const start = Date.parse(startedAt);
  const end = start + activeSeconds * 1000;
  const elapsed = (t: number) => Math.min(activeSeconds, Math.max(0, Math.floor((t - start) / 1000)));
  const shares: HourShare[] = [];
  for (let hour = hourStartOf(start); hour < end; hour += HOUR_MS) {
    const last = hour + HOUR_MS >= end;
    const s0 = elapsed(hour);
    const s1 = last ? activeSeconds : elapsed(hour + HOUR_MS);
    const m0 = Math.floor(s0 / 60);
    const m1 = last && final ? Math.ceil(s1 / 60) : Math.floor(s1 / 60);
    if (s1 > s0 || m1 > m0) shares.push({ hour: new Date(hour).toISOString(), seconds: s1 - s0, minutes: m1 - m0 });
  }
  return shares;
}

/**
 * An open session's time up to the start of the hour `now` is in: what the hourly snapshot records for the hours it
 * has completed. Undefined when there is nothing to record yet.
 */
export function openSessionSecondsUntil(startedAt: string, now: Date): number {
  const boundary = hourStartOf(now.getTime());
  return Math.max(0, Math.floor((boundary - Date.parse(startedAt)) / 1000));
}

/**
 * One session's contribution to one hour (`usage-contributions`, partition = session id, id = the hour): written
 * create-only, replaced (ETag) only by a newer revision: a partial one (open session) by the final one (closed), or a
 * partial one by a later partial one when the session's start moved. A final contribution never changes.
 */
export interface UsageContribution {
  readonly sessionId: string;
  readonly hour: string;
  readonly projectId: string;
  readonly orgId: string;
  readonly resourceId: string;
  readonly resourceKind: BillingResource['kind'];
  /** The plan when the contribution was first recorded (submission uses the plan current then, see README). */
  readonly planId?: string | undefined;
  readonly dimension: UsageDimension;
  readonly seconds: number;
  readonly minutes: number;
  readonly final: boolean;
  /** 1 when created, +1 at every replacement: aggregates apply a revision once, and never an older one. */
  readonly revision: number;
  readonly recordedAt: string;
  readonly etag: string;
}

export type NewUsageContribution = Omit<UsageContribution, 'etag'>;

/** What an aggregate holds of one session: its latest applied contribution to the hour. */
export interface AppliedContribution {
  readonly seconds: number;
  readonly minutes: number;
  readonly revision: number;
  readonly final: boolean;
}

/** Whose usage an aggregate counts: a billing resource (what is submitted) or a project (what its keys see). */
export type UsageScope = { readonly kind: 'resource'; readonly resourceId: string } | { readonly kind: 'project'; readonly projectId: string };

export function scopeKeyOf(scope: UsageScope): string {
  return scope.kind === 'resource' ? `resource:${scope.resourceId}` : `project:${scope.projectId}`;
}

/**
 * One hour of one dimension of one scope (`usage-hours`, partition = scope key, id = `<dimension>:<hour>`): the
 * sessions' latest contributions and their sums. Applying a contribution replaces that session's entry (conditional on
 * the ETag), so a repeat, a reordering or a partial superseded by the final one never counts twice.
 */
export interface UsageHour {
  readonly scope: string;
  readonly dimension: UsageDimension;
  readonly hour: string;
  readonly orgId: string;
  readonly projectId?: string | undefined;
  readonly resourceId?: string | undefined;
  readonly resourceKind?: BillingResource['kind'] | undefined;
  readonly planId?: string | undefined;
  readonly seconds: number;
  readonly minutes: number;
  readonly sessions: Readonly<Record<string, AppliedContribution>>;
  readonly updatedAt: string;
  readonly etag: string;
}

export type NewUsageHour = Omit<UsageHour, 'etag'>;

/** The aggregate with `contribution` applied, or undefined when it already holds that revision (or a newer one). */
export function withContribution(hour: NewUsageHour, contribution: NewUsageContribution, now: Date): NewUsageHour | undefined {
  const existing = hour.sessions[contribution.sessionId];
  if (existing !== undefined && (existing.final || existing.revision >= contribution.revision)) return undefined;
  const sessions = {
    ...hour.sessions,
    [contribution.sessionId]: {
      seconds: contribution.seconds,
      minutes: contribution.minutes,
      revision: contribution.revision,
      final: contribution.final,
    },
  };
  let seconds = 0;
  let minutes = 0;
  for (const entry of Object.values(sessions)) {
    seconds += entry.seconds;
    minutes += entry.minutes;
  }
  return { ...hour, sessions, seconds, minutes, updatedAt: now.toISOString() };
}

export interface UsageContributionRepository {
  get(sessionId: string, hour: string): Promise<UsageContribution | undefined>;
  listForSession(sessionId: string): Promise<UsageContribution[]>;
  /** Every session's contribution to one hour (across partitions: the settling of an hour). */
  listForHour(hour: string): Promise<UsageContribution[]>;
  /** Create-only: ConflictError when the session already has a contribution to that hour. */
  create(contribution: NewUsageContribution): Promise<UsageContribution>;
  /** Replaces when the stored ETag is still `contribution.etag`, else PreconditionFailedError. */
  replace(contribution: UsageContribution): Promise<UsageContribution>;
}

export interface UsageHourRepository {
  get(scope: string, dimension: UsageDimension, hour: string): Promise<UsageHour | undefined>;
  create(hour: NewUsageHour): Promise<UsageHour>;
  replace(hour: UsageHour): Promise<UsageHour>;
  /** One scope's hours in [from, to), oldest first. */
  listScope(scope: string, from: string, to: string): Promise<UsageHour[]>;
  /** Every billing resource's hour `hour` with its kind (across partitions: the submission's one query per hour). */
  listResourceHours(hour: string): Promise<UsageHour[]>;
  /** Every scope's hour `hour`, resources and projects (across partitions: the settling of an hour). */
  listHour(hour: string): Promise<UsageHour[]>;
  /** Create-only marker that an hour's sessions were all recorded (`settleHour`); false when it already exists. */
  markSettled(hour: string, at: Date): Promise<boolean>;
  isSettled(hour: string): Promise<boolean>;
}

/** A session whose usage should be (re)recorded. */
export const usageEventMessageSchema = z.object({
  projectId: z.string().min(1),
  sessionId: z.string().min(1),
  /** Why: the close, or the hourly snapshot of an open session. For logs; the session itself is the truth. */
  reason: z.enum(['closed', 'hourly']).default('closed'),
});
export type UsageEventMessage = z.infer<typeof usageEventMessageSchema>;

/** The `usage-events` queue. */
export interface UsageEventQueue {
  send(message: UsageEventMessage): Promise<void>;
}

export interface SessionRef {
  readonly projectId: string;
  readonly sessionId: string;
  /** Whether the session was open when it was listed. */
  readonly open?: boolean | undefined;
}

/** Finds the sessions whose usage the hourly snapshot and the settling of an hour look at (cross-partition reads). */
export interface UsageSessionSource {
  /** Open, started sessions that started before `before`. */
  listOpenStartedBefore(before: string): Promise<SessionRef[]>;
  /** Sessions active at some time in [from, to): started before `to`, and open or closed after `from`. */
  listActiveBetween(from: string, to: string): Promise<SessionRef[]>;
}

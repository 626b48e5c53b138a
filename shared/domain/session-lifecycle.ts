import type { StoredLlmConfig } from './llm-config.js';
import { dimensionOf, PRICE_MICROS_PER_MINUTE_BY_DIMENSION } from './usage-prices.js';

/**
 * How a session opens, stays alive and ends (seed faq.txt, "Is there an inactive session timeout?"; API.md, Connections
 * and sessions). Pure functions of the session's clock fields and a time, so the HTTP calls, the session-events queue
 * and the sweeper all apply the same transitions, and applying one twice changes nothing.
 */

export type CloseReason =
  | 'connection_closed'
  | 'idle_timeout'
  | 'session_expired'
  | 'not_started'
  | 'connection_timeout'
  | 'function_connection_failed'
  | 'initialization_failed'
  | 'no_credits_left';

export const CLOSE_REASONS: readonly CloseReason[] = [
  'connection_closed',
  'idle_timeout',
  'session_expired',
  'not_started',
  'connection_timeout',
  'function_connection_failed',
  'initialization_failed',
  'no_credits_left',
];

/** Seconds before an idle close at which `avatar_connection_warning {disconnect_after}` is sent. */
export const IDLE_WARNING_SECONDS: readonly number[] = [60, 30, 10];

/** Prices per billed minute in micro-dollars, by who hosts the language model: the price table of usage-prices.ts. */
export const PRICE_MICROS_PER_MINUTE: Readonly<Record<StoredLlmConfig['hosting'], number>> = {
  custom: PRICE_MICROS_PER_MINUTE_BY_DIMENSION[dimensionOf('custom')],
  hosted: PRICE_MICROS_PER_MINUTE_BY_DIMENSION[dimensionOf('hosted')],
};

export interface SessionCost {
  readonly currency: 'USD';
  /** Active seconds rounded up to whole minutes. */
  readonly billedMinutes: number;
  readonly amountMicros: number;
}

/** The fields the lifecycle reads and writes. */
export interface SessionClock {
  readonly status: 'pending' | 'started' | 'closed' | 'failed';
  readonly createdAt: string;
  /** A session not started by then closes with connection_timeout: its first token has expired unused. */
  readonly startBy: string;
  readonly startedAt?: string | undefined;
  readonly lastActivityAt?: string | undefined;
  /** The `disconnect_after` values already sent since the last activity. */
  readonly idleWarningsSent?: readonly number[] | undefined;
  readonly closedAt?: string | undefined;
  readonly closeReason?: string | undefined;
  /** When the sweeper must look at the session next; absent once it is closed. */
  readonly nextCheckAt?: string | undefined;
  readonly activeSeconds?: number | undefined;
  readonly cost?: SessionCost | undefined;
  readonly hosting: StoredLlmConfig['hosting'];
  readonly assembled: { readonly idleTimeoutSeconds: number | null; readonly maxSessionSeconds: number };
}

const ms = (iso: string) => Date.parse(iso);
const iso = (time: number) => new Date(time).toISOString();

export function isOpen(session: Pick<SessionClock, 'status'>): boolean {
  return session.status === 'pending' || session.status === 'started';
}

/** When the idle close is due (undefined when the idle timeout is off or the session has not started). */
export function idleCloseAt(session: SessionClock): number | undefined {
  const idle = session.assembled.idleTimeoutSeconds;
  if (idle === null || session.status !== 'started') return undefined;
  return ms(session.lastActivityAt ?? session.startedAt ?? session.createdAt) + idle * 1000;
}

/** The warnings that apply to this idle timeout: only those shorter than it. */
function warningsFor(session: SessionClock): number[] {
  const idle = session.assembled.idleTimeoutSeconds;
  return idle === null ? [] : IDLE_WARNING_SECONDS.filter((w) => w < idle);
}

/** The next moment something is due: a warning, the idle close, the maximum duration, or the start deadline. */
export function nextCheckOf(session: SessionClock): string | undefined {
  if (!isOpen(session)) return undefined;
  if (session.status === 'pending') return session.startBy;
  const candidates: number[] = [ms(session.startedAt ?? session.createdAt) + session.assembled.maxSessionSeconds * 1000];
  const idleAt = idleCloseAt(session);
  if (idleAt !== undefined) {
    candidates.push(idleAt);
    const sent = new Set(session.idleWarningsSent ?? []);
    for (const w of warningsFor(session)) if (!sent.has(w)) candidates.push(idleAt - w * 1000);
  }
  return iso(Math.min(...candidates));
}

/** The first activity starts a pending session; every activity resets the idle clock and its warnings. */
export function withActivity<S extends SessionClock>(session: S, at: Date): S {
  if (!isOpen(session)) return session;
  const time = at.getTime();
  const startedAt = session.startedAt === undefined ? iso(time) : iso(Math.min(ms(session.startedAt), time));
  const last = session.lastActivityAt === undefined ? time : Math.max(ms(session.lastActivityAt), time);
  const newer = session.lastActivityAt === undefined || time > ms(session.lastActivityAt);
  const next = {
    ...session,
    status: 'started' as const,
    startedAt,
    lastActivityAt: iso(last),
    idleWarningsSent: newer ? [] : session.idleWarningsSent,
  };
  return { ...next, nextCheckAt: nextCheckOf(next) };
}

export interface DueWork {
  /** `disconnect_after` values to send now, longest first. */
  readonly warnings: number[];
  readonly close?: { readonly reason: CloseReason; readonly at: Date } | undefined;
}

/** What the sweeper must do for a session at `now`. */
export function dueWork(session: SessionClock, now: Date): DueWork {
  if (!isOpen(session)) return { warnings: [] };
  const time = now.getTime();
  if (session.status === 'pending') {
    return ms(session.startBy) <= time ? { warnings: [], close: { reason: 'connection_timeout', at: new Date(ms(session.startBy)) } } : { warnings: [] };
  }
  const expiresAt = ms(session.startedAt ?? session.createdAt) + session.assembled.maxSessionSeconds * 1000;
  const idleAt = idleCloseAt(session);
  const closes: { reason: CloseReason; at: number }[] = [];
  if (expiresAt <= time) closes.push({ reason: 'session_expired', at: expiresAt });
  if (idleAt !== undefined && idleAt <= time) closes.push({ reason: 'idle_timeout', at: idleAt });
  if (closes.length > 0) {
    const first = closes.sort((a, b) => a.at - b.at)[0]!;
    return { warnings: [], close: { reason: first.reason, at: new Date(first.at) } };
  }
  if (idleAt === undefined) return { warnings: [] };
  const sent = new Set(session.idleWarningsSent ?? []);
  // Only the most urgent warning that is due: a sweep that comes late does not send 60, 30 and 10 at once.
  const due = warningsFor(session).filter((w) => !sent.has(w) && idleAt - w * 1000 <= time);
  return { warnings: due.length === 0 ? [] : [Math.min(...due)] };
}

/** Marks warnings as sent (and any longer ones, which a late sweep skipped). */
export function withWarningsSent<S extends SessionClock>(session: S, warnings: readonly number[]): S {
  if (warnings.length === 0) return session;
  const shortest = Math.min(...warnings);
  const sent = new Set([...(session.idleWarningsSent ?? []), ...warningsFor(session).filter((w) => w >= shortest)]);
  const next = { ...session, idleWarningsSent: [...sent].sort((a, b) => b - a) };
  return { ...next, nextCheckAt: nextCheckOf(next) };
}

/** Active time: from the start to the close; a session that never started was never active. */
export function activeSecondsOf(session: Pick<SessionClock, 'startedAt'>, closedAt: Date): number {
  if (session.startedAt === undefined) return 0;
  return Math.max(0, Math.floor((closedAt.getTime() - ms(session.startedAt)) / 1000));
}

/** Active seconds rounded up to whole minutes, priced by the key's hosting, in integer micro-dollars. */
export function costOf(activeSeconds: number, hosting: StoredLlmConfig['hosting']): SessionCost {
  const billedMinutes = Math.ceil(activeSeconds / 60);
  return { currency: 'USD', billedMinutes, amountMicros: billedMinutes * PRICE_MICROS_PER_MINUTE[hosting] };
}

/** Closes an open session once: later closes (repeated or out of order) change nothing. */
export function closedSession<S extends SessionClock>(session: S, at: Date, reason: CloseReason): S {
  if (!isOpen(session)) return session;
  // A close dated before the start (an out-of-order event) still ends the session, with no active time.
  const closedAt = session.startedAt !== undefined && at.getTime() < ms(session.startedAt) ? new Date(ms(session.startedAt)) : at;
  const activeSeconds = activeSecondsOf(session, closedAt);
  return {
    ...session,
    status: 'closed',
    closedAt: closedAt.toISOString(),
    closeReason: reason,
    activeSeconds,
    cost: costOf(activeSeconds, session.hosting),
    nextCheckAt: undefined,
  };
}

import { CronExpressionParser, type CronDate } from 'cron-parser';
import { HostStartupError } from '../errors.js';
import { parseTimeSpan } from '../timespan.js';

export interface TimerSchedule {
  readonly expression: string;
  /** The first occurrence strictly after `after`. */
  next(after: Date): Date;
}

const oneMinuteMs = 60_000;

class IntervalSchedule implements TimerSchedule {
  constructor(
    readonly expression: string,
    readonly intervalMs: number,
  ) {}

  next(after: Date): Date {
    return new Date(after.getTime() + this.intervalMs);
  }
}

/**
 * NCRONTAB as the Functions host reads it: six fields with seconds first, or the five classic fields.
 * Unlike Vixie cron, NCRONTAB requires both day-of-month and day-of-week to match when both are restricted.
 */
class CronSchedule implements TimerSchedule {
  readonly #base: string;
  readonly #timeZone: string;
  readonly #daysOfWeek: ReadonlySet<number> | undefined;

  constructor(
    readonly expression: string,
    fields: string[],
    timeZone: string,
  ) {
    this.#timeZone = timeZone;
    const restricted = (field: string | undefined): boolean => field !== undefined && field !== '*' && field !== '?';
    const dayOfMonth = fields[fields.length - 3];
    const dayOfWeek = fields[fields.length - 1];
    if (restricted(dayOfMonth) && restricted(dayOfWeek)) {
      const days = CronExpressionParser.parse(`0 0 0 * * ${dayOfWeek}`, { tz: timeZone }).fields.dayOfWeek.values;
      // cron-parser allows 7 for Sunday; Date#getDay says 0.
      this.#daysOfWeek = new Set(days.map((d) => (Number(d) === 7 ? 0 : Number(d))));
      this.#base = [...fields.slice(0, -1), '*'].join(' ');
    } else {
      this.#base = fields.join(' ');
    }
    this.next(new Date());
  }

  next(after: Date): Date {
    let from = after;
    // Day jumps bound the search: a combination that never occurs (31 February on a Monday) fails loudly.
    for (let jumps = 0; jumps < 20_000; jumps++) {
      const candidate: CronDate = CronExpressionParser.parse(this.#base, {
        currentDate: from,
        tz: this.#timeZone,
      }).next();
      if (!this.#daysOfWeek || this.#daysOfWeek.has(candidate.getDay())) {
        return candidate.toDate();
      }
      const untilMidnight =
        ((23 - candidate.getHours()) * 3600 + (59 - candidate.getMinutes()) * 60 + (59 - candidate.getSeconds())) *
        1000;
      from = new Date(candidate.getTime() + untilMidnight + 999);
    }
    throw new HostStartupError(`The schedule "${this.expression}" never occurs.`);
  }
}

/** Parses an NCRONTAB expression or a TimeSpan such as `00:05:00` (run every five minutes). */
export function parseTimerSchedule(expression: string, timeZone: string, where: string): TimerSchedule {
  const trimmed = expression.trim();
  const interval = parseTimeSpan(trimmed);
  if (interval !== undefined) {
    if (interval <= 0) {
      throw new HostStartupError(`${where}: the schedule "${expression}" must be a positive interval.`);
    }
    return new IntervalSchedule(trimmed, interval);
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    throw new HostStartupError(
      `${where}: the schedule "${expression}" must be an NCRONTAB expression with 6 fields (5 without seconds) or a TimeSpan.`,
    );
  }
  try {
    return new CronSchedule(trimmed, fields, timeZone);
  } catch (error) {
    if (error instanceof HostStartupError) throw error;
    throw new HostStartupError(
      `${where}: the schedule "${expression}" is not a valid NCRONTAB expression (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
}

/** Azure's default for `useMonitor`: on for schedules that fire at most once a minute. */
export function firesAtMostOncePerMinute(schedule: TimerSchedule, from = new Date()): boolean {
  const first = schedule.next(from);
  const second = schedule.next(first);
  const third = schedule.next(second);
  return second.getTime() - first.getTime() >= oneMinuteMs && third.getTime() - second.getTime() >= oneMinuteMs;
}

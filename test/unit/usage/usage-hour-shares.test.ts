import { describe, expect, it } from 'vitest';
import { costOf } from '../../../shared/domain/session-lifecycle.js';
import { hourSharesOf, openSessionSecondsUntil, withContribution, type NewUsageContribution, type NewUsageHour } from '../../../shared/domain/usage.js';

const sum = (shares: { seconds: number; minutes: number }[], field: 'seconds' | 'minutes') => shares.reduce((n, s) => n + s[field], 0);

describe('splitting a session over UTC hours', () => {
  it('a session from 10:50:00 to 11:20:30 gives 10 minutes to 10:00 and 21 (the partial last one included) to 11:00', () => {
    const shares = hourSharesOf('2026-11-21T10:50:00.000Z', 30 * 60 + 30, true);
    expect(shares).toEqual([
      { hour: '2026-11-21T10:00:00.000Z', seconds: 600, minutes: 10 },
      { hour: '2026-11-21T11:00:00.000Z', seconds: 1230, minutes: 21 },
    ]);
    expect(sum(shares, 'minutes')).toBe(costOf(1830, 'hosted').billedMinutes);
  });

  it('a minute that straddles a boundary counts in the hour it completes in', () => {
    // 10:59:30 + 90 s: the first minute ends at 11:00:30, the second (partial) at the close.
    expect(hourSharesOf('2026-11-21T10:59:30.000Z', 90, true)).toEqual([
      { hour: '2026-11-21T10:00:00.000Z', seconds: 30, minutes: 0 },
      { hour: '2026-11-21T11:00:00.000Z', seconds: 60, minutes: 2 },
    ]);
  });

  it('a session that never started or lasted 0 s has no usage', () => {
    expect(hourSharesOf('2026-11-21T10:00:00.000Z', 0, true)).toEqual([]);
  });

  it('for any start (with milliseconds) and length, seconds add up to the active seconds and minutes to the billed minutes', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 2_000; i += 1) {
      const start = new Date(Date.UTC(2026, 10, 21, 0, 0, 0) + Math.floor(random() * 86_400_000)).toISOString();
      const active = Math.floor(random() * 5 * 3600);
      const shares = hourSharesOf(start, active, true);
      expect(sum(shares, 'seconds')).toBe(active);
      expect(sum(shares, 'minutes')).toBe(costOf(active, 'custom').billedMinutes);
      expect(shares.every((s) => s.seconds >= 0 && s.seconds <= 3600 && s.minutes >= 0 && s.minutes <= 61)).toBe(true);
    }
  });

  it("an open session's hours before the current one are exactly what its final split gives them", () => {
    const start = '2026-11-21T09:41:17.250Z';
    const now = new Date('2026-11-21T12:03:00.000Z');
    const partial = hourSharesOf(start, openSessionSecondsUntil(start, now), false);
    expect(partial.map((s) => s.hour)).toEqual(['2026-11-21T09:00:00.000Z', '2026-11-21T10:00:00.000Z', '2026-11-21T11:00:00.000Z']);
    const closedAt = Date.parse('2026-11-21T12:44:09.000Z');
    const final = hourSharesOf(start, Math.floor((closedAt - Date.parse(start)) / 1000), true);
    expect(final.slice(0, 3)).toEqual(partial);
  });
});

describe('applying contributions to an hour', () => {
  const hour: NewUsageHour = {
    scope: 'project:p1',
    dimension: 'hostedLlmMinutes',
    hour: '2026-11-21T10:00:00.000Z',
    orgId: 'o1',
    projectId: 'p1',
    seconds: 0,
    minutes: 0,
    sessions: {},
    updatedAt: '2026-11-21T10:00:00.000Z',
  };
  const contribution = (sessionId: string, minutes: number, revision: number, final: boolean): NewUsageContribution => ({
    sessionId,
    hour: hour.hour,
    projectId: 'p1',
    orgId: 'o1',
    resourceId: 'o1',
    resourceKind: 'organization',
    dimension: 'hostedLlmMinutes',
    seconds: minutes * 60,
    minutes,
    final,
    revision,
    recordedAt: hour.hour,
  });
  const now = new Date('2026-11-21T11:00:00.000Z');

  it('a repeat, an older revision or a partial after the final changes nothing; the final replaces the partial', () => {
    const partial = withContribution(hour, contribution('s1', 30, 1, false), now)!;
    expect(partial.minutes).toBe(30);
    expect(withContribution(partial, contribution('s1', 30, 1, false), now)).toBeUndefined();
    const final = withContribution(partial, contribution('s1', 25, 2, true), now)!;
    expect(final.minutes).toBe(25);
    expect(withContribution(final, contribution('s1', 60, 3, false), now)).toBeUndefined();
    const two = withContribution(final, contribution('s2', 7, 1, true), now)!;
    expect([two.minutes, two.seconds]).toEqual([32, 32 * 60]);
  });
});

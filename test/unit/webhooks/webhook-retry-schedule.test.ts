import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config.js';
import { DEFAULT_WEBHOOK_RETRY_SCHEDULE_SECONDS, parseRetrySchedule, WebhookRetrySchedule } from '../../../shared/domain/webhook-delivery.js';

const minimal = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', COSMOS_ENDPOINT: 'https://localhost:8081' };

describe('the webhook retry schedule', () => {
  it('by default waits 10 s, 30 s, 1, 2, 5, 10, 15 and 20 minutes: nine attempts over about an hour', () => {
    const schedule = new WebhookRetrySchedule();
    expect(schedule.delaysSeconds).toEqual([10, 30, 60, 120, 300, 600, 900, 1200]);
    expect(schedule.maxAttempts).toBe(9);
    expect(schedule.totalSeconds).toBeGreaterThanOrEqual(50 * 60);
    expect(schedule.totalSeconds).toBeLessThanOrEqual(70 * 60);
  });

  it('gives the wait after each failed attempt, and none after the last', () => {
    const schedule = new WebhookRetrySchedule();
    expect(schedule.delayAfter(1)).toBe(10);
    expect(schedule.delayAfter(2)).toBe(30);
    expect(schedule.delayAfter(8)).toBe(1200);
    expect(schedule.delayAfter(9)).toBeUndefined();
    expect(schedule.delayAfter(0)).toBeUndefined();
  });

  it('waits no longer as attempts go on (never shorter than the one before)', () => {
    const delays = DEFAULT_WEBHOOK_RETRY_SCHEDULE_SECONDS;
    for (let i = 1; i < delays.length; i += 1) expect(delays[i]!).toBeGreaterThanOrEqual(delays[i - 1]!);
  });

  it('can be shortened, down to a single attempt', () => {
    expect(new WebhookRetrySchedule([1, 2]).maxAttempts).toBe(3);
    const once = new WebhookRetrySchedule([]);
    expect(once.maxAttempts).toBe(1);
    expect(once.delayAfter(1)).toBeUndefined();
  });

  it('refuses negative, fractional or over-long waits', () => {
    expect(() => new WebhookRetrySchedule([-1])).toThrow(RangeError);
    expect(() => new WebhookRetrySchedule([1.5])).toThrow(RangeError);
    expect(() => new WebhookRetrySchedule([8 * 24 * 3600])).toThrow(RangeError);
  });

  it('reads WEBHOOK_RETRY_SCHEDULE as comma-separated seconds, and names the setting when it is malformed', () => {
    expect(parseRetrySchedule('1, 2,3')).toEqual({ delays: [1, 2, 3] });
    expect(parseRetrySchedule('')).toEqual({ delays: [] });
    expect(parseRetrySchedule('1,soon')).toHaveProperty('problem');
    expect(parseConfig(minimal).webhookRetryScheduleSeconds).toBeUndefined();
    expect(parseConfig({ ...minimal, WEBHOOK_RETRY_SCHEDULE: '1,2' }).webhookRetryScheduleSeconds).toEqual([1, 2]);
    expect(() => parseConfig({ ...minimal, WEBHOOK_RETRY_SCHEDULE: '10s,30s' })).toThrow(/WEBHOOK_RETRY_SCHEDULE/);
  });
});

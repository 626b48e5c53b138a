import { describe, expect, it } from 'vitest';
import { ConfigError, meteringReconciliationSchedule, meteringSchedule, parseConfig, usageSnapshotSchedule } from '../../../shared/config.js';

const base = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', COSMOS_ENDPOINT: 'https://localhost:8081' };

describe('metering settings', () => {
  it('the submission runs five minutes past each hour unless METERING_SCHEDULE says otherwise', () => {
    expect(meteringSchedule({})).toBe('0 5 * * * *');
    expect(meteringSchedule({ METERING_SCHEDULE: '0 */10 * * * *' })).toBe('0 */10 * * * *');
    expect(usageSnapshotSchedule({})).toBe('0 1 * * * *');
    expect(meteringReconciliationSchedule({})).toBe('0 40 3 * * *');
  });

  it('a malformed schedule stops start-up naming the setting', () => {
    expect(() => meteringSchedule({ METERING_SCHEDULE: 'hourly' })).toThrow(ConfigError);
    expect(() => meteringSchedule({ METERING_SCHEDULE: 'hourly' })).toThrow(/METERING_SCHEDULE/);
  });

  it('the settle delay and the look-back have defaults and bounds', () => {
    expect(parseConfig(base).metering).toEqual({ settleDelayMinutes: 5, lookbackHours: 72 });
    expect(parseConfig({ ...base, METERING_SETTLE_MINUTES: '15', METERING_LOOKBACK_HOURS: '24' }).metering).toEqual({
      settleDelayMinutes: 15,
      lookbackHours: 24,
    });
    expect(() => parseConfig({ ...base, METERING_SETTLE_MINUTES: '90' })).toThrow(/METERING_SETTLE_MINUTES/);
  });
});

import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { installFunctionsCore } from '../../local/functions-core/index.js';
import { HostStartupError, startLocalHost, type HostLogLine, type LocalHost } from '../../local/host/index.js';
import { parseTimerSchedule } from '../../local/host/timer/schedule.js';
import { waitFor } from '../fixtures/host-app/wait-for.js';
import type { TimerCall } from '../fixtures/host-app/timer-app.js';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/host-app');
const connectionString = inject('storageConnectionString');

let timerCalls: TimerCall[];
let host: LocalHost | undefined;
const logs: HostLogLine[] = [];

async function start(settings: Record<string, string>): Promise<LocalHost> {
  host = await startLocalHost({
    appDir,
    port: 0,
    host: '127.0.0.1',
    settings: { AzureWebJobsStorage: connectionString, ...settings },
    log: (line) => logs.push(line),
    tuning: { shutdownTimeoutMs: 5_000 },
  });
  return host;
}

const callsOf = (name: string, since: number) => timerCalls.filter((c) => c.functionName === name && c.at >= since);

beforeAll(async () => {
  installFunctionsCore();
  ({ timerCalls } = await import('../fixtures/host-app/timer-app.js'));
});

afterEach(async () => {
  await host?.stop();
  host = undefined;
});

describe('local host timer trigger', () => {
  it('when the schedule comes from a %SETTING%, it fires every second with the timer object', async () => {
    const since = Date.now();
    await start({ EVERY_SECOND_SCHEDULE: '*/1 * * * * *', AzureFunctionsWebHost__hostid: `timer-${randomUUID().slice(0, 8)}` });
    await waitFor(() => callsOf('everySecond', since).length >= 2, 'two ticks', 5_000);
    const [first, second] = callsOf('everySecond', since);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(500);
    expect(first!.timer).toEqual({ schedule: { adjustForDST: true }, scheduleStatus: null, isPastDue: false });
  });

  it('when a timer invocation fails, it is logged and the schedule goes on', async () => {
    const since = Date.now();
    await start({ EVERY_SECOND_SCHEDULE: '*/1 * * * * *', AzureFunctionsWebHost__hostid: `timer-${randomUUID().slice(0, 8)}` });
    await waitFor(() => callsOf('failingEverySecond', since).length >= 2, 'two failing ticks', 5_000);
    expect(
      logs.some((l) => l['category'] === 'Function.failingEverySecond' && l['level'] === 'error'),
    ).toBe(true);
  });

  it('when runOnStartup is set, the function runs as the host starts', async () => {
    const since = Date.now();
    await start({ EVERY_SECOND_SCHEDULE: '*/1 * * * * *', AzureFunctionsWebHost__hostid: `timer-${randomUUID().slice(0, 8)}` });
    const call = await waitFor(() => callsOf('yearlyOnStartup', since)[0], 'the startup run', 2_000);
    expect(call.timer.isPastDue).toBe(false);
  });

  it('when a monitored occurrence was missed while the host was down, it runs past due at start', async () => {
    const hostId = `timer-${randomUUID().slice(0, 8)}`;
    const missed = new Date(Date.now() - 3_600_000).toISOString();
    const status = JSON.stringify({ Last: new Date(Date.now() - 7_200_000).toISOString(), Next: missed, LastUpdated: missed });
    const hosts = BlobServiceClient.fromConnectionString(connectionString).getContainerClient('azure-webjobs-hosts');
    await hosts.createIfNotExists();
    await hosts.getBlockBlobClient(`timers/${hostId}/hourlyMonitored/status`).upload(status, status.length);

    const since = Date.now();
    await start({ EVERY_SECOND_SCHEDULE: '*/1 * * * * *', AzureFunctionsWebHost__hostid: hostId });
    const call = await waitFor(() => callsOf('hourlyMonitored', since)[0], 'the past-due run', 2_000);
    expect(call.timer.isPastDue).toBe(true);
    expect(call.timer.scheduleStatus.next).toBe(missed);

    const statusBlob = hosts.getBlockBlobClient(`timers/${hostId}/hourlyMonitored/status`);
    const saved = await waitFor(async () => {
      const current = JSON.parse((await statusBlob.downloadToBuffer()).toString('utf8')) as { Last: string; Next: string };
      return current.Last === missed ? current : undefined;
    }, 'the status to record the run');
    expect(Date.parse(saved.Next)).toBeGreaterThan(Date.now());
  });

  it('when a %SETTING% in a schedule is missing, start-up fails naming it', async () => {
    const attempt = startLocalHost({ appDir, port: 0, host: '127.0.0.1', settings: {}, log: () => undefined });
    await expect(attempt).rejects.toBeInstanceOf(HostStartupError);
    await expect(attempt).rejects.toThrow(/EVERY_SECOND_SCHEDULE/);
  });
});

describe('timer schedules', () => {
  const from = new Date('2025-01-01T10:15:30.000Z');
  const next = (expression: string): string => parseTimerSchedule(expression, 'UTC', 'test').next(from).toISOString();

  it('when the expression has six fields, the first is seconds', () => {
    expect(next('*/10 * * * * *')).toBe('2025-01-01T10:15:40.000Z');
    expect(next('0 0 */2 * * *')).toBe('2025-01-01T12:00:00.000Z');
  });

  it('when the expression has five fields, it is read without seconds', () => {
    expect(next('*/5 * * * *')).toBe('2025-01-01T10:20:00.000Z');
  });

  it('when the schedule is a TimeSpan, it repeats at that interval', () => {
    expect(next('00:05:00')).toBe('2025-01-01T10:20:30.000Z');
    expect(next('1.00:00:00')).toBe('2025-01-02T10:15:30.000Z');
  });

  it('when both day of month and day of week are set, both must match as in NCRONTAB', () => {
    // The first Monday that is also among the first seven days of a month after 1 January 2025.
    expect(next('0 0 9 1-7 * MON')).toBe('2025-01-06T09:00:00.000Z');
  });

  it('when the expression is not NCRONTAB, parsing fails with the function named', () => {
    expect(() => parseTimerSchedule('every minute', 'UTC', 'Function "x"')).toThrow(/Function "x"/);
    expect(() => parseTimerSchedule('0 0 0 * * * *', 'UTC', 'Function "x"')).toThrow(/6 fields/);
  });
});

import { describe, expect, it } from 'vitest';
import type { Organization } from '../../../shared/domain/organization.js';
import type { OrganizationRepository } from '../../../shared/domain/organization-repository.js';
import type { Session, SessionRepository } from '../../../shared/domain/session.js';
import { closedSession, type SessionClock } from '../../../shared/domain/session-lifecycle.js';
import { UsageRecorder } from '../../../shared/services/usage-recorder.js';
import { ManualClock, RecordingLogger } from '../fakes/test-services.js';
import { InMemoryUsageContributions, InMemoryUsageHours, ListedSessions, RecordingUsageQueue } from './in-memory-usage-ports.js';

type UsageSession = SessionClock & { readonly id: string; readonly projectId: string; readonly orgId: string };

const T = (hhmmss: string) => `2026-11-21T${hhmmss}.000Z`;

function openSession(id: string, startedAt: string, hosting: 'hosted' | 'custom' = 'hosted'): UsageSession {
  return {
    id,
    projectId: 'proj_1',
    orgId: 'org_1',
    hosting,
    status: 'started',
    createdAt: startedAt,
    startBy: startedAt,
    startedAt,
    assembled: { idleTimeoutSeconds: null, maxSessionSeconds: 14_400 },
  };
}

function world(options: { subscription?: string } = {}) {
  const stored = new Map<string, UsageSession>();
  /** Scripted answers for the next reads of a session (a close landing between two reads). */
  const scripted = new Map<string, UsageSession[]>();
  const sessions = {
    get: async (_projectId: string, sessionId: string) => (scripted.get(sessionId)?.shift() ?? stored.get(sessionId)) as Session | undefined,
  } as unknown as SessionRepository;
  const org = {
    id: 'org_1',
    ...(options.subscription === undefined
      ? {}
      : { marketplace: { subscriptionId: options.subscription, offerId: 'o', planId: 'basic', status: 'Subscribed', purchaser: {}, updatedAt: T('00:00:00') } }),
  } as unknown as Organization;
  const organizations = { get: async () => org } as unknown as OrganizationRepository;
  const contributions = new InMemoryUsageContributions();
  const hours = new InMemoryUsageHours();
  const queue = new RecordingUsageQueue();
  const listed = new ListedSessions([]);
  const clock = new ManualClock(new Date(T('09:00:00')));
  const recorder = new UsageRecorder({
    sessions,
    organizations,
    usageContributions: contributions,
    usageHours: hours,
    usageQueue: queue,
    usageSessions: listed,
    clock,
    logger: new RecordingLogger(),
  });
  const put = (s: UsageSession) => {
    stored.set(s.id, s);
    const i = listed.sessions.findIndex((x) => x.id === s.id);
    const entry = { projectId: s.projectId, id: s.id, status: s.status, startedAt: s.startedAt, closedAt: s.closedAt };
    if (i < 0) listed.sessions.push(entry);
    else listed.sessions[i] = entry;
  };
  const minutesOf = (scope: string) =>
    Object.fromEntries([...hours.documents.values()].filter((h) => h.scope === scope).map((h) => [`${h.dimension} ${h.hour.slice(11, 16)}`, h.minutes]));
  return { recorder, contributions, hours, queue, clock, put, scripted, minutesOf };
}

describe('the usage recorder', () => {
  it('a snapshot that read the session open while its close landed leaves no partial hour behind', async () => {
    const w = world();
    const open = openSession('s1', T('10:30:00'));
    const closed = closedSession(open, new Date(T('11:15:00')), 'connection_closed');
    w.put(closed);
    // The snapshot at 13:05 reads the session open (its close not yet stored), writes 10:00-12:00 as partial, then
    // reads it again: closed.
    w.clock.advance(4 * 3_600_000 + 5 * 60_000);
    w.scripted.set('s1', [open]);
    await w.recorder.record({ projectId: 'proj_1', sessionId: 's1' });
    expect(w.minutesOf('project:proj_1')).toEqual({ 'hostedLlmMinutes 10:00': 30, 'hostedLlmMinutes 11:00': 15, 'hostedLlmMinutes 12:00': 0 });
    expect(closed.cost!.billedMinutes).toBe(45);
    expect([...w.contributions.documents.values()].every((c) => c.final)).toBe(true);
  });

  it('a late partial after the final figures changes nothing', async () => {
    const w = world();
    const open = openSession('s1', T('09:10:00'));
    w.put(closedSession(open, new Date(T('10:20:00')), 'connection_closed'));
    w.clock.advance(2 * 3_600_000);
    await w.recorder.record({ projectId: 'proj_1', sessionId: 's1' });
    const before = w.minutesOf('resource:org_1');
    w.scripted.set('s1', [open]);
    expect(await w.recorder.record({ projectId: 'proj_1', sessionId: 's1' })).toBe('unchanged');
    expect(w.minutesOf('resource:org_1')).toEqual(before);
    expect(before).toEqual({ 'hostedLlmMinutes 09:00': 50, 'hostedLlmMinutes 10:00': 20 });
  });

  it('usage goes to the Marketplace subscription of the organization, per dimension', async () => {
    const w = world({ subscription: 'sub-9' });
    w.put(closedSession(openSession('a', T('09:00:00'), 'custom'), new Date(T('09:00:59')), 'connection_closed'));
    w.put(closedSession(openSession('b', T('09:30:00'), 'hosted'), new Date(T('09:31:01')), 'connection_closed'));
    await w.recorder.record({ projectId: 'proj_1', sessionId: 'a' });
    await w.recorder.record({ projectId: 'proj_1', sessionId: 'b' });
    expect(w.minutesOf('resource:sub-9')).toEqual({ 'byoLlmMinutes 09:00': 1, 'hostedLlmMinutes 09:00': 2 });
    expect([...w.hours.documents.values()].find((h) => h.scope === 'resource:sub-9')).toMatchObject({ resourceKind: 'marketplaceSubscription', planId: 'basic' });
  });

  it('a process that died between a contribution and its aggregate is completed by the settling of the hour', async () => {
    const w = world();
    w.put(closedSession(openSession('a', T('09:00:00')), new Date(T('09:10:00')), 'connection_closed'));
    w.put(closedSession(openSession('b', T('09:20:00')), new Date(T('09:25:00')), 'connection_closed'));
    w.clock.advance(3_600_000);
    await w.recorder.record({ projectId: 'proj_1', sessionId: 'a' });
    w.hours.failReplaces = 1;
    await expect(w.recorder.record({ projectId: 'proj_1', sessionId: 'b' })).rejects.toThrow('the process died');
    expect(w.minutesOf('resource:org_1')).toEqual({ 'hostedLlmMinutes 09:00': 10 });
    // The message is lost for good (poisoned); the submission settles the hour before it submits it.
    expect(await w.recorder.settleHour(T('09:00:00'))).toBe(1);
    expect(w.minutesOf('resource:org_1')).toEqual({ 'hostedLlmMinutes 09:00': 15 });
    expect(w.minutesOf('project:proj_1')).toEqual({ 'hostedLlmMinutes 09:00': 15 });
    // Settling again finds nothing to do.
    expect(await w.recorder.settleHour(T('09:00:00'))).toBe(0);
  });

  it('the hourly snapshot queues every open session that started before the hour, and the close hook queues a closed one', async () => {
    const w = world();
    w.put(openSession('early', T('09:10:00')));
    w.put(openSession('now', T('10:00:30')));
    w.clock.advance(3_600_000 + 60_000); // 10:01
    expect(await w.recorder.snapshotOpenSessions()).toBe(1);
    const closed = closedSession(openSession('c', T('09:00:00')), new Date(T('09:00:30')), 'connection_closed');
    await w.recorder.enqueueClosed(closed as unknown as Session);
    await w.recorder.enqueueClosed(closedSession(openSession('never', T('09:00:00')), new Date(T('09:00:00')), 'connection_closed') as unknown as Session);
    expect(w.queue.messages).toEqual([
      { projectId: 'proj_1', sessionId: 'early', reason: 'hourly' },
      { projectId: 'proj_1', sessionId: 'c', reason: 'closed' },
    ]);
  });
});

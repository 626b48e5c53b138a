import { describe, expect, it } from 'vitest';
import {
  AvatarJobRejectedError,
  avatarJobIdOf,
  companionOfAvatarJob,
  type AvatarEngine,
  type AvatarJob,
  type AvatarJobCompletion,
} from '../../../shared/domain/avatar-engine.js';
import type { Companion } from '../../../shared/domain/companion.js';
import { AvatarGenerationService, REMOTE_JOB_TIMEOUT_MS } from '../../../shared/services/avatar-generation-service.js';
import { InMemoryCompanionRepository, RecordingEventPublisher } from '../fakes/in-memory-companion-ports.js';
import { InMemoryCompanionAssetStore } from '../fakes/in-memory-generation-ports.js';
import { RecordingCompanionJobQueue } from '../fakes/in-memory-media-intake-ports.js';
import { ManualClock, RecordingLogger } from '../fakes/test-services.js';

/** A remote engine that records submissions and answers as told; its completions are handed in by the test. */
class ScriptedRemoteEngine implements AvatarEngine {
  readonly kind = 'remote';
  readonly started: AvatarJob[] = [];
  rejectWith: AvatarJobRejectedError | undefined;
  completion: AvatarJobCompletion | undefined;

  async start(job: AvatarJob) {
    this.started.push(job);
    if (this.rejectWith !== undefined) throw this.rejectWith;
    return { kind: 'submitted' as const };
  }

  async readCompletion(): Promise<AvatarJobCompletion> {
    if (this.completion === undefined) throw new Error('no completion scripted');
    return this.completion;
  }
}

function world() {
  const companions = new InMemoryCompanionRepository();
  const engine = new ScriptedRemoteEngine();
  const clock = new ManualClock();
  const jobs = new RecordingCompanionJobQueue();
  const events = new RecordingEventPublisher();
  const service = new AvatarGenerationService({
    companions,
    assetStore: new InMemoryCompanionAssetStore(),
    avatarEngine: engine,
    companionJobs: jobs,
    events,
    clock,
    logger: new RecordingLogger(),
  });
  return { companions, engine, clock, jobs, events, service };
}

async function pendingCompanion(companions: InMemoryCompanionRepository): Promise<Companion> {
  return companions.create({
    id: 'comp_remote1',
    projectId: 'proj_a',
    orgId: 'org_a',
    personaType: 'companion',
    firstName: 'Ava',
    lastName: '',
    description: 'A guide',
    headline: '',
    version: 'v1',
    tags: {},
    status: 'pending',
    avatar: { views: {} },
    media: {},
    created: '2025-01-01T00:00:00.000Z',
    updated: '2025-01-01T00:00:00.000Z',
  });
}

const message = { companionId: 'comp_remote1', projectId: 'proj_a', orgId: 'org_a' };

describe('avatar generation with a remote engine', () => {
  it('submits once, schedules a later look, and waits while the engine renders', async () => {
    const { companions, engine, jobs, service } = world();
    await pendingCompanion(companions);

    expect(await service.generate(message)).toBe('submittedToEngine');
    expect(await service.generate(message)).toBe('awaitingEngine');
    expect(engine.started).toHaveLength(1);
    expect(engine.started[0]).toMatchObject({ id: avatarJobIdOf('proj_a', 'comp_remote1'), source: undefined, profile: { description: 'A guide' } });
    expect(jobs.messages).toEqual([{ kind: 'avatarGeneration', message, delaySeconds: REMOTE_JOB_TIMEOUT_MS / 1000 + 60 }]);
    expect((await companions.get('proj_a', 'comp_remote1'))?.avatar.job).toEqual({
      id: avatarJobIdOf('proj_a', 'comp_remote1'),
      submittedAt: '2025-01-01T00:00:00.000Z',
    });
  });

  it('when the engine never reports back, the scheduled look fails the companion instead of leaving it pending', async () => {
    const { companions, clock, events, service } = world();
    await pendingCompanion(companions);
    await service.generate(message);
    clock.advance(REMOTE_JOB_TIMEOUT_MS + 61_000);

    expect(await service.generate(message)).toBe('engineTimedOut');
    const failed = await companions.get('proj_a', 'comp_remote1');
    expect(failed).toMatchObject({ status: 'failed', failureReason: 'AvatarGenerationFailed' });
    expect(failed?.warnings).toEqual([{ code: 'AvatarEngineTimedOut', message: 'The avatar rendering service did not report back within 30 minutes.' }]);
    expect(events.events.map((e) => e.type)).toEqual(['companion.updated']);
  });

  it('when the engine refuses the job for good, the companion fails at once with the engine’s code', async () => {
    const { companions, engine, service } = world();
    await pendingCompanion(companions);
    engine.rejectWith = new AvatarJobRejectedError('AvatarEngineRejected', 'The avatar rendering service refused the job: unsupported source');

    expect(await service.generate(message)).toBe('rejectedByEngine');
    const failed = await companions.get('proj_a', 'comp_remote1');
    expect(failed).toMatchObject({ status: 'failed', failureReason: 'AvatarGenerationFailed' });
    expect(failed?.warnings).toEqual([{ code: 'AvatarEngineRejected', message: 'The avatar rendering service refused the job: unsupported source' }]);
  });

  it('when a report arrives for a job the companion is not waiting for, it is not found', async () => {
    const { companions, engine, service } = world();
    await pendingCompanion(companions);
    const jobId = avatarJobIdOf('proj_a', 'comp_remote1');
    engine.completion = { jobId, ok: false, code: 'X', message: 'y' };
    // Nothing was submitted yet, so no job is recorded on the companion.
    await expect(service.completeRemoteJob(jobId, { header: () => undefined, body: new Uint8Array() })).rejects.toMatchObject({ code: 'NotFound' });
  });
});

describe('avatar job ids', () => {
  it('carry the project and companion, and nothing else decodes', () => {
    const jobId = avatarJobIdOf('proj_x1', 'comp_y2');
    expect(jobId).toMatch(/^avjob_[A-Za-z0-9_-]+$/);
    expect(companionOfAvatarJob(jobId)).toEqual({ projectId: 'proj_x1', companionId: 'comp_y2' });
    expect(companionOfAvatarJob('avjob_')).toBeUndefined();
    expect(companionOfAvatarJob(`avjob_${Buffer.from('a/b/c').toString('base64url')}`)).toBeUndefined();
    expect(companionOfAvatarJob('job_123')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import type { Metrics } from '../../../shared/domain/metrics.js';
import type { Session } from '../../../shared/domain/session.js';
import { knowledgeSourcePath } from '../../../shared/domain/knowledge/knowledge-paths.js';
import { KnowledgeFileRecords } from '../../../shared/services/knowledge-file-records.js';
import { KnowledgeIngest } from '../../../shared/services/knowledge-ingest.js';
import { recordClosedSessionMetrics } from '../../../shared/services/session-metrics.js';
import { keyOf } from '../fakes/api-key-principals.js';
import { plainTextExtractor } from '../fakes/in-memory-knowledge-ports.js';
import { createTestWorld, seedOrganization } from '../fakes/test-services.js';

class RecordingMetrics implements Metrics {
  readonly recorded: { name: string; value: number; dimensions: Readonly<Record<string, string>> | undefined }[] = [];
  record(name: string, value: number, dimensions?: Readonly<Record<string, string>>): void {
    this.recorded.push({ name, value, dimensions });
  }
}

describe('metrics the services record', () => {
  it('when a session closes after 61 active seconds, its active seconds and 2 billed minutes are recorded by hosting', async () => {
    const metrics = new RecordingMetrics();
    const closed = {
      hosting: 'custom',
      channelType: 'text',
      closeReason: 'idle_timeout',
      activeSeconds: 61,
      cost: { currency: 'USD', billedMinutes: 2, amountMicros: 20_000 },
    } as unknown as Session;
    await recordClosedSessionMetrics(metrics)(closed);
    const dimensions = { hosting: 'custom', channelType: 'text', closeReason: 'idle_timeout' };
    expect(metrics.recorded).toEqual([
      { name: 'session.active_seconds', value: 61, dimensions },
      { name: 'session.billed_minutes', value: 2, dimensions },
    ]);
  });

  it('when a session closes without having started, nothing is recorded', async () => {
    const metrics = new RecordingMetrics();
    await recordClosedSessionMetrics(metrics)({ hosting: 'hosted', channelType: 'text', closeReason: 'not_started' } as unknown as Session);
    expect(metrics.recorded).toEqual([]);
  });

  it('when a knowledge file is ingested, its ingest time is recorded with the outcome; a repeat records nothing', async () => {
    const world = createTestWorld();
    const key = keyOf((await seedOrganization(world)).project);
    const base = await world.services.knowledgeBases.create(key, { name: 'Manuals', provider: 'azureOpenAI' });
    const added = await world.services.knowledgeIntake.addSentFile(key, base.id, {
      fileName: 'guide.md',
      contentType: 'text/markdown',
      bytes: Buffer.from('# Refunds\n\nRefunds are granted within 30 days of purchase when the service was not used.'),
    });
    const metrics = new RecordingMetrics();
    const ingest = new KnowledgeIngest({ ...world, documentExtractor: plainTextExtractor, embeddings: undefined, summarizer: undefined, records: new KnowledgeFileRecords(world), metrics });
    const stored = world.knowledgeStore.files.get(knowledgeSourcePath(key.projectId, base.id, added.id))!;
    const landed = { projectId: key.projectId, baseId: base.id, fileId: added.id, bytes: stored.bytes, etag: stored.etag };

    await expect(ingest.ingest(landed)).resolves.toBe('ready');
    await expect(ingest.ingest(landed)).resolves.toBe('repeat');
    expect(metrics.recorded).toEqual([{ name: 'knowledge.ingest_ms', value: expect.any(Number), dimensions: { outcome: 'ready' } }]);
    expect(metrics.recorded[0]?.value).toBeGreaterThanOrEqual(0);
  });
});

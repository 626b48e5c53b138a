import { beforeEach, describe, expect, it } from 'vitest';
import { extractiveMemoryExtractor } from '../../../shared/domain/extractive-memory.js';
import type { MemoryExtractor } from '../../../shared/domain/memory-extraction.js';
import type { NewSession, Session, TranscriptEntry } from '../../../shared/domain/session.js';
import { ClientMemoryService } from '../../../shared/services/client-memory-service.js';
import { InMemoryClientMemoryRepository, RecordingMemoryExtractionQueue } from '../fakes/in-memory-client-memory.js';
import { InMemorySessionRepository } from '../fakes/in-memory-session-repository.js';
import { createTestWorld, ManualClock, RecordingLogger } from '../fakes/test-services.js';

const PROJECT = 'proj_memory';
const COMPANION = 'comp_memory';

function said(...turns: [TranscriptEntry['role'], string][]): TranscriptEntry[] {
  return turns.map(([role, text], i) => ({ role, text, at: new Date(Date.UTC(2025, 0, 1, 9, 0, i)).toISOString() }));
}

let sessionCount = 0;

function closedSession(transcript: TranscriptEntry[], overrides: Partial<NewSession> = {}): NewSession {
  sessionCount += 1;
  const closedAt = new Date(Date.UTC(2025, 0, sessionCount, 10)).toISOString();
  return {
    id: `sess_${sessionCount}`,
    projectId: PROJECT,
    orgId: 'org_memory',
    agentId: 'agent_memory',
    companionId: COMPANION,
    channelType: 'text',
    modality: 'text',
    externalClientId: 'anna-1',
    tags: {},
    keyId: 'key_memory',
    hosting: 'hosted',
    faqCollections: [],
    assembled: {
      instructions: '# Persona\nA bike shop assistant.',
      tools: [],
      toolBindings: [],
      voice: undefined,
      language: 'en',
      temperature: 0.8,
      turnDetection: undefined,
      noiseReduction: undefined,
      idleTimeoutSeconds: 180,
      maxSessionSeconds: 3600,
    },
    status: 'closed',
    closeReason: 'connection_closed',
    createdAt: closedAt,
    startBy: closedAt,
    startedAt: closedAt,
    closedAt,
    transcript,
    ...overrides,
  };
}

describe('client memory service', () => {
  let sessions: InMemorySessionRepository;
  let memories: InMemoryClientMemoryRepository;
  let queue: RecordingMemoryExtractionQueue;
  let logger: RecordingLogger;
  let extractor: MemoryExtractor;
  let service: ClientMemoryService;

  beforeEach(() => {
    sessions = new InMemorySessionRepository();
    memories = new InMemoryClientMemoryRepository();
    queue = new RecordingMemoryExtractionQueue();
    logger = new RecordingLogger();
    extractor = extractiveMemoryExtractor;
    service = new ClientMemoryService({
      sessions,
      clientMemories: memories,
      memoryQueue: queue,
      memoryExtractor: { extract: (source) => extractor.extract(source) },
      clock: new ManualClock(),
      logger,
    });
  });

  it('queues extraction only for a session with an externalClientId and words of the user', async () => {
    const talked = await sessions.create(closedSession(said(['user', 'I live in Berlin.'])));
    await service.enqueueExtraction(talked);
    await service.enqueueExtraction(await sessions.create(closedSession(said(['user', 'I live in Berlin.']), { externalClientId: undefined })));
    await service.enqueueExtraction(await sessions.create(closedSession([])));
    await service.enqueueExtraction(await sessions.create(closedSession(said(['assistant', 'Hello?'], ['user', '   ']))));
    expect(queue.sent).toEqual([{ projectId: PROJECT, sessionId: talked.id }]);
  });

  it('extracts a closed session into memory for its companion and person, which the next assembly reads', async () => {
    const session = await sessions.create(
      closedSession(said(['user', "Hi, I'm Anna. I live in Hamburg and I'm allergic to latex."], ['assistant', 'Noted!'], ['user', 'Do you have city bikes?'])),
    );
    expect(await service.extract({ projectId: PROJECT, sessionId: session.id })).toBe('stored');
    expect(await service.memoryFor(PROJECT, COMPANION, 'anna-1')).toEqual({
      summary: 'Talked about city bikes. Asked "Do you have city bikes?"',
      facts: ['Name is Anna', 'Lives in Hamburg', 'Is allergic to latex'],
    });
    // Another person, another companion, another project: nothing.
    expect(await service.memoryFor(PROJECT, COMPANION, 'ben-2')).toBeUndefined();
    expect(await service.memoryFor(PROJECT, 'comp_other', 'anna-1')).toBeUndefined();
    expect(await service.memoryFor('proj_other', COMPANION, 'anna-1')).toBeUndefined();
  });

  it('a repeated job stores the same memory again, without duplicates', async () => {
    const session = await sessions.create(closedSession(said(['user', 'I live in Hamburg. I prefer e-mail.'])));
    await service.extract({ projectId: PROJECT, sessionId: session.id });
    const first = await service.memoryFor(PROJECT, COMPANION, 'anna-1');
    await service.extract({ projectId: PROJECT, sessionId: session.id });
    expect(await service.memoryFor(PROJECT, COMPANION, 'anna-1')).toEqual(first);
    expect(first?.facts).toEqual(['Lives in Hamburg', 'Prefers e-mail']);
  });

  it('skips sessions that are gone, still open, anonymous or silent, and stores nothing for them', async () => {
    const open = await sessions.create(closedSession(said(['user', 'I live in Rome.']), { status: 'started', closedAt: undefined }));
    const anonymous = await sessions.create(closedSession(said(['user', 'I live in Rome.']), { externalClientId: undefined }));
    const silent = await sessions.create(closedSession(said(['assistant', 'Hello?'])));
    const greetings = await sessions.create(closedSession(said(['user', 'Hi!'], ['user', 'Thanks, bye.'])));
    for (const id of ['sess_missing', open.id, anonymous.id, silent.id, greetings.id]) {
      expect(await service.extract({ projectId: PROJECT, sessionId: id })).toBe('skipped');
    }
    expect(memories.records.size).toBe(0);
    expect(memories.writes).toBe(0);
  });

  it('forgetting a session removes exactly its facts and summary; forgetting the last one deletes the record', async () => {
    const first = await sessions.create(closedSession(said(['user', 'I live in Hamburg. My daughter is 7.'])));
    const second = await sessions.create(closedSession(said(['user', 'I am vegan. I live in Hamburg. Do you sell child seats?'])));
    await service.extract({ projectId: PROJECT, sessionId: first.id });
    await service.extract({ projectId: PROJECT, sessionId: second.id });
    expect((await service.memoryFor(PROJECT, COMPANION, 'anna-1'))?.facts).toEqual(['Daughter is 7', 'Lives in Hamburg', 'Is vegan']);

    await service.forgetSession(second);
    // "Lives in Hamburg" was said in the first session too, so it stays; the second's summary goes with it.
    expect(await service.memoryFor(PROJECT, COMPANION, 'anna-1')).toEqual({ facts: ['Daughter is 7', 'Lives in Hamburg'] });
    await service.forgetSession(second);

    await service.forgetSession(first);
    expect(await service.memoryFor(PROJECT, COMPANION, 'anna-1')).toBeUndefined();
    expect(memories.records.size).toBe(0);
  });

  it('a job that finishes after its session was deleted leaves nothing of it behind', async () => {
    const kept = await sessions.create(closedSession(said(['user', 'I live in Hamburg.'])));
    await service.extract({ projectId: PROJECT, sessionId: kept.id });
    const deleted = await sessions.create(closedSession(said(['user', 'I am vegan.'])));
    // The deletion (session removed, then its memory forgotten) happens while the job is extracting.
    extractor = {
      async extract(source) {
        const memory = await extractiveMemoryExtractor.extract(source);
        await sessions.delete(PROJECT, deleted.id);
        await service.forgetSession(deleted);
        return memory;
      },
    };
    expect(await service.extract({ projectId: PROJECT, sessionId: deleted.id })).toBe('skipped');
    expect((await service.memoryFor(PROJECT, COMPANION, 'anna-1'))?.facts).toEqual(['Lives in Hamburg']);
  });

  it('concurrent jobs for the same person both land (conditional writes retried)', async () => {
    const a = await sessions.create(closedSession(said(['user', 'I live in Hamburg.'])));
    const b = await sessions.create(closedSession(said(['user', 'I have two cats.'])));
    await Promise.all([service.extract({ projectId: PROJECT, sessionId: a.id }), service.extract({ projectId: PROJECT, sessionId: b.id })]);
    expect((await service.memoryFor(PROJECT, COMPANION, 'anna-1'))?.facts).toEqual(['Lives in Hamburg', 'Has two cats']);
  });

  it('is wired into the services: a closed session queued, extracted and read through services.memory', async () => {
    const world = createTestWorld();
    const session = closedSession(said(['user', 'I prefer e-mail over calls.'])) as Session;
    await world.services.memory.enqueueExtraction({ ...session, etag: 'x' });
    expect(world.memoryQueue.sent).toEqual([{ projectId: PROJECT, sessionId: session.id }]);
    expect(await world.services.memory.memoryFor(PROJECT, COMPANION, 'anna-1')).toBeUndefined();
  });
});

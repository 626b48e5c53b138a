import { describe, expect, it } from 'vitest';
import { knowledgeSourcePath } from '../../../shared/domain/knowledge/knowledge-paths.js';
import { keyOf } from '../fakes/api-key-principals.js';
import { createTestWorld, seedOrganization } from '../fakes/test-services.js';

const MINUTE = 60_000;
const NOTE = '# Parking\n\nStaff park in the north lot, level two, with the badge shown behind the windscreen.';

async function seeded() {
  const world = createTestWorld();
  const seed = await seedOrganization(world);
  const key = keyOf(seed.project);
  const base = await world.services.knowledgeBases.create(key, { name: 'Manuals', provider: 'azureOpenAI' });
  return { world, key, base, clock: world.clock };
}

const upload = { fileName: 'note.md', contentType: 'text/markdown', size: NOTE.length };

describe('knowledge upload expiry', () => {
  it('when the trigger starts the ingest while the sweep is deciding, the sweep leaves the file and its slot alone', async () => {
    const { world, key, base, clock } = await seeded();
    const ticket = await world.services.knowledgeIntake.requestUpload(key, base.id, upload);
    clock.advance(31 * MINUTE);
    const path = knowledgeSourcePath(key.projectId, base.id, ticket.file.id);
    // Storage says nothing landed; right then the late PUT completes and its trigger ingests the file.
    const landedVersion = world.knowledgeStore.landedVersion.bind(world.knowledgeStore);
    world.knowledgeStore.landedVersion = async (blobPath) => {
      const answer = await landedVersion(blobPath);
      await world.knowledgeStore.write(path, Buffer.from(NOTE), 'text/markdown');
      const stored = world.knowledgeStore.files.get(path)!;
      await world.services.knowledgeIngest.ingest({ projectId: key.projectId, baseId: base.id, fileId: ticket.file.id, bytes: stored.bytes, etag: stored.etag });
      return answer;
    };

    expect(await world.services.knowledgeUploadExpiry.sweep()).toMatchObject({ expired: 0, unchanged: 1 });
    expect(await world.services.knowledgeFiles.get(key, base.id, ticket.file.id)).toMatchObject({ status: 'ready', failureReason: null });
    expect(world.knowledgeStore.files.has(path)).toBe(true);
    expect((await world.services.knowledgeBases.get(key, base.id)).fileCount).toBe(1);
  });

  it('waits for each way of arriving its own time: sent bytes 25 minutes, an upload URL 30, a URL fetch 75', async () => {
    const { world, key, base, clock } = await seeded();
    // The store refuses the sent bytes, and taking the file back fails too: the file is left uploading with nothing landed.
    world.knowledgeStore.failing = true;
    const deleteFile = world.knowledgeFiles.delete.bind(world.knowledgeFiles);
    world.knowledgeFiles.delete = async () => {
      throw new Error('cosmos unavailable');
    };
    await expect(world.services.knowledgeIntake.addSentFile(key, base.id, { fileName: 'sent.md', contentType: 'text/markdown', bytes: Buffer.from(NOTE) })).rejects.toThrow();
    world.knowledgeStore.failing = false;
    world.knowledgeFiles.delete = deleteFile;
    const [sent] = await world.knowledgeFiles.listAll(key.projectId, base.id);
    const ticket = await world.services.knowledgeIntake.requestUpload(key, base.id, upload);
    const byUrl = await world.services.knowledgeIntake.addFromUrl(key, base.id, 'https://docs.example.com/guide.md');
    const statusOf = async (id: string) => (await world.services.knowledgeFiles.get(key, base.id, id)).failureReason;

    clock.advance(25 * MINUTE + 1);
    expect(await world.services.knowledgeUploadExpiry.sweep()).toMatchObject({ expired: 1, notDue: 2 });
    expect(await statusOf(sent!.id)).toBe('UploadExpired');
    expect((await world.services.knowledgeFiles.get(key, base.id, sent!.id)).failureMessage).toContain('did not complete');
    clock.advance(5 * MINUTE);
    expect(await world.services.knowledgeUploadExpiry.sweep()).toMatchObject({ expired: 1, notDue: 1 });
    expect(await statusOf(ticket.file.id)).toBe('UploadExpired');
    expect(await statusOf(byUrl.id)).toBeNull();
    clock.advance(45 * MINUTE);
    expect(await world.services.knowledgeUploadExpiry.sweep()).toMatchObject({ expired: 1, notDue: 0 });
    expect(await statusOf(byUrl.id)).toBe('UploadExpired');
    expect((await world.services.knowledgeBases.get(key, base.id)).fileCount).toBe(0);

    // A fetch message that turns up after all finds the file no longer waiting for it.
    const [job] = world.knowledgeFetchQueue.jobs;
    await expect(world.services.knowledgeFetch.fetch(job!, { dequeueCount: 1, maxAttempts: 5 })).resolves.toBe('notAwaited');
  });

  it('when the slot of an expired file could not be given back, a full base reclaims it for the next file', async () => {
    const { world, key, base, clock } = await seeded();
    const ticket = await world.services.knowledgeIntake.requestUpload(key, base.id, upload);
    clock.advance(31 * MINUTE);
    await world.services.knowledgeUploadExpiry.sweep();
    // As if the sweep had stopped between recording the failure and giving the slot back.
    const emptied = (await world.knowledgeBases.get(key.projectId, base.id))!;
    await world.knowledgeBases.replace({ ...emptied, fileSlots: [{ fileId: ticket.file.id, reservedAt: ticket.file.createdAt }] });
    for (let i = 0; i < 29; i++) await world.services.knowledgeIntake.requestUpload(key, base.id, upload);
    expect((await world.services.knowledgeBases.get(key, base.id)).fileCount).toBe(30);

    const taken = await world.services.knowledgeIntake.requestUpload(key, base.id, upload);
    expect(taken.file.status).toBe('uploading');
    const slots = (await world.knowledgeBases.get(key.projectId, base.id))!.fileSlots.map((slot) => slot.fileId);
    expect(slots).toHaveLength(30);
    expect(slots).not.toContain(ticket.file.id);
  });
});

import { describe, expect, it } from 'vitest';
import { BadRequestError, NotFoundError, PayloadTooLargeError, PreconditionFailedError } from '../../../shared/domain/errors.js';
import { MAX_KNOWLEDGE_FILE_BYTES } from '../../../shared/domain/knowledge/file-types.js';
import { knowledgeSourcePath } from '../../../shared/domain/knowledge/knowledge-paths.js';
import { UrlNotAllowedError } from '../../../shared/domain/outbound.js';
import { keyOf } from '../fakes/api-key-principals.js';
import { createTestWorld, seedOrganization } from '../fakes/test-services.js';

async function seeded() {
  const world = createTestWorld();
  const seed = await seedOrganization(world);
  const other = await world.services.projects.create(seed.admin, seed.org.id, { name: 'Other project' });
  return { world, key: keyOf(seed.project), otherKey: keyOf(other) };
}

const text = (words: string) => ({ fileName: 'notes.txt', contentType: 'text/plain', bytes: Buffer.from(words) });

describe('knowledge bases and files', () => {
  it('when an agent uses a base, deleting it fails with KnowledgeBaseInUse naming the agent, until the agent drops it', async () => {
    const { world, key } = await seeded();
    const base = await world.services.knowledgeBases.create(key, { name: 'Manuals', provider: 'azureOpenAI' });
    const stock = world.services.catalog.stock({ pageIndex: 0, pageSize: 1 }).items[0]!;
    const agent = await world.services.agents.create(key, { companionId: stock.id, name: 'Helper', voiceId: 'alloy', knowledgeBaseId: base.id });
    const error = await world.services.knowledgeBases.delete(key, base.id, undefined).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KnowledgeBaseInUse' });
    expect((error as Error).message).toContain(agent.id);
    expect((await world.services.knowledgeBases.get(key, base.id)).id).toBe(base.id);
    await world.services.agents.update(key, agent.id, { knowledgeBaseId: null }, undefined);
    await world.services.knowledgeBases.delete(key, base.id, undefined);
    await expect(world.services.knowledgeBases.get(key, base.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('creates, lists, reads and deletes a base; another project never sees it', async () => {
    const { world, key, otherKey } = await seeded();
    const base = await world.services.knowledgeBases.create(key, { name: 'Manuals', provider: 'azureOpenAI' });
    expect(base).toMatchObject({ name: 'Manuals', provider: 'azureOpenAI', fileCount: 0 });
    expect(base.id).toMatch(/^kb_/);
    expect((await world.services.knowledgeBases.list(key, { pageIndex: 0, pageSize: 20 })).items.map((b) => b.id)).toEqual([base.id]);
    expect((await world.services.knowledgeBases.list(otherKey, { pageIndex: 0, pageSize: 20 })).items).toEqual([]);
    await expect(world.services.knowledgeBases.get(otherKey, base.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.knowledgeIntake.addSentFile(otherKey, base.id, text('x'))).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.knowledgeSearch.search(otherKey, base.id, { query: 'x', top: 5 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.knowledgeBases.delete(otherKey, base.id, undefined)).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.knowledgeBases.delete(key, base.id, '"stale"')).rejects.toBeInstanceOf(PreconditionFailedError);
    await world.services.knowledgeBases.delete(key, base.id, base.etag);
    await expect(world.services.knowledgeBases.get(key, base.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('when 31 files are added at once, exactly 30 are recorded and the other is refused with KnowledgeBaseFileLimitReached; a deletion frees a place', async () => {
    const { world, key } = await seeded();
    const base = await world.services.knowledgeBases.create(key, { name: 'Full', provider: 'azureOpenAI' });
    const outcomes = await Promise.allSettled(Array.from({ length: 31 }, (_, i) => world.services.knowledgeIntake.addSentFile(key, base.id, text(`file ${i}`))));
    const added = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(added).toHaveLength(30);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toBeInstanceOf(BadRequestError);
    expect((refused[0]!.reason as BadRequestError).code).toBe('KnowledgeBaseFileLimitReached');
    expect((await world.services.knowledgeBases.get(key, base.id)).fileCount).toBe(30);
    expect((await world.services.knowledgeFiles.list(key, base.id, { pageIndex: 0, pageSize: 100 })).totalCount).toBe(30);

    const first = (added[0] as PromiseFulfilledResult<{ id: string }>).value;
    await world.services.knowledgeFiles.delete(key, base.id, first.id, undefined);
    expect((await world.services.knowledgeBases.get(key, base.id)).fileCount).toBe(29);
    await expect(world.services.knowledgeIntake.requestUpload(key, base.id, { fileName: 'a.pdf', contentType: 'application/pdf', size: 1000 })).resolves.toBeDefined();
    await expect(world.services.knowledgeIntake.addSentFile(key, base.id, text('one too many'))).rejects.toMatchObject({ code: 'KnowledgeBaseFileLimitReached' });
  });

  it('when a slot was taken by a request that died before recording its file, it is given back once it is stale', async () => {
    const { world, key } = await seeded();
    const base = await world.services.knowledgeBases.create(key, { name: 'Slots', provider: 'azureOpenAI' });
    const stored = (await world.knowledgeBases.get(key.projectId, base.id))!;
    const orphans = Array.from({ length: 30 }, (_, i) => ({ fileId: `file_orphan${i}`, reservedAt: world.clock.now().toISOString() }));
    await world.knowledgeBases.replace({ ...stored, fileSlots: orphans });
    await expect(world.services.knowledgeIntake.addSentFile(key, base.id, text('x'))).rejects.toMatchObject({ code: 'KnowledgeBaseFileLimitReached' });
    world.clock.advance(11 * 60 * 1000);
    await expect(world.services.knowledgeIntake.addSentFile(key, base.id, text('x'))).resolves.toMatchObject({ status: 'uploading' });
    expect((await world.services.knowledgeBases.get(key, base.id)).fileCount).toBe(1);
  });

  it('adds by URL: a private address is refused with UrlNotAllowed before anything is recorded; a public one is queued', async () => {
    const { world, key } = await seeded();
    const base = await world.services.knowledgeBases.create(key, { name: 'Web', provider: 'azureOpenAI' });
    await expect(world.services.knowledgeIntake.addFromUrl(key, base.id, 'https://10.0.0.1/guide.pdf')).rejects.toBeInstanceOf(UrlNotAllowedError);
    expect((await world.services.knowledgeBases.get(key, base.id)).fileCount).toBe(0);
    const file = await world.services.knowledgeIntake.addFromUrl(key, base.id, 'https://docs.example.com/manuals/User%20Guide.pdf');
    expect(file).toMatchObject({ status: 'uploading', originalName: 'User Guide.pdf' });
    expect(world.knowledgeFetchQueue.jobs).toEqual([
      { projectId: key.projectId, orgId: key.orgId, baseId: base.id, fileId: file.id, url: 'https://docs.example.com/manuals/User%20Guide.pdf' },
    ]);
    world.knowledgeFetchQueue.failing = true;
    await expect(world.services.knowledgeIntake.addFromUrl(key, base.id, 'https://docs.example.com/b.pdf')).rejects.toThrow('queue unavailable');
    expect((await world.services.knowledgeBases.get(key, base.id)).fileCount).toBe(1);
  });

  it('upload URLs: declared sizes over the type’s limit are refused up front; the ticket names the landing path, write-only, for 15 minutes', async () => {
    const { world, key } = await seeded();
    const base = await world.services.knowledgeBases.create(key, { name: 'Uploads', provider: 'azureOpenAI' });
    await expect(world.services.knowledgeIntake.requestUpload(key, base.id, { fileName: 'a.txt', contentType: 'text/plain', size: 11 * 2 ** 20 })).rejects.toMatchObject({ code: 'FileTooLarge' });
    await expect(world.services.knowledgeIntake.requestUpload(key, base.id, { fileName: 'a.bin', contentType: 'application/octet-stream', size: MAX_KNOWLEDGE_FILE_BYTES + 1 })).rejects.toMatchObject({ code: 'FileTooLarge' });
    const ticket = await world.services.knowledgeIntake.requestUpload(key, base.id, { fileName: 'manual.pdf', contentType: 'application/pdf', size: 20 * 2 ** 20 });
    expect(ticket).toMatchObject({ method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'application/pdf' }, file: { status: 'uploading', size: 20 * 2 ** 20 } });
    expect(ticket.uploadUrl).toContain(knowledgeSourcePath(key.projectId, base.id, ticket.file.id));
    expect(Date.parse(ticket.expiresAt) - world.clock.now().getTime()).toBe(15 * 60 * 1000);
  });

  it('a sent file over 50 MB is refused with PayloadTooLarge', async () => {
    const { world, key } = await seeded();
    const base = await world.services.knowledgeBases.create(key, { name: 'Big', provider: 'azureOpenAI' });
    const bytes = Buffer.alloc(MAX_KNOWLEDGE_FILE_BYTES + 1);
    await expect(world.services.knowledgeIntake.addSentFile(key, base.id, { fileName: 'big.pdf', contentType: 'application/pdf', bytes })).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it('deleting a base removes its files, chunks and blobs; deleting a file removes its own', async () => {
    const { world, key } = await seeded();
    const base = await world.services.knowledgeBases.create(key, { name: 'Cascade', provider: 'azureOpenAI' });
    const keep = await world.services.knowledgeBases.create(key, { name: 'Kept', provider: 'azureOpenAI' });
    const ingest = async (baseId: string, words: string) => {
      const file = await world.services.knowledgeIntake.addSentFile(key, baseId, text(words));
      const path = knowledgeSourcePath(key.projectId, baseId, file.id);
      const { bytes, etag } = world.knowledgeStore.files.get(path)!;
      await world.services.knowledgeIngest.ingest({ projectId: key.projectId, baseId, fileId: file.id, bytes, etag });
      return file;
    };
    const a = await ingest(base.id, 'Alpha passage about invoices and billing cycles for every customer.');
    await ingest(base.id, 'Beta passage about security keys and their rotation schedule.');
    const kept = await ingest(keep.id, 'Gamma passage about onboarding that stays where it is.');

    await world.services.knowledgeFiles.delete(key, base.id, a.id, undefined);
    await expect(world.services.knowledgeFiles.get(key, base.id, a.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(world.knowledgeIndex.ofFile(a.id)).toEqual([]);
    expect([...world.knowledgeStore.files.keys()].some((p) => p.includes(a.id))).toBe(false);

    await world.services.knowledgeBases.delete(key, base.id, undefined);
    expect([...world.knowledgeIndex.chunks.values()].map((c) => c.baseId)).toEqual([keep.id]);
    expect([...world.knowledgeStore.files.keys()]).toEqual([knowledgeSourcePath(key.projectId, keep.id, kept.id)]);
    expect(await world.knowledgeFiles.listAll(key.projectId, base.id)).toEqual([]);
    expect(await world.knowledgeBases.get(key.projectId, base.id)).toBeUndefined();
  });
});

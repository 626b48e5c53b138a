import { describe, expect, it } from 'vitest';
import { EmbeddingFailedError } from '../../../shared/domain/knowledge/embedding-failure.js';
import { KNOWLEDGE_SIZE_LIMITS } from '../../../shared/domain/knowledge/file-types.js';
import { knowledgeSourcePath } from '../../../shared/domain/knowledge/knowledge-paths.js';
import type { Summarizer } from '../../../shared/domain/knowledge/summarizer.js';
import { keyOf } from '../fakes/api-key-principals.js';
import { CountingEmbeddingClient } from '../fakes/in-memory-knowledge-ports.js';
import { createTestWorld, seedOrganization, type TestWorldOptions } from '../fakes/test-services.js';

const GUIDE = [
  '# Billing',
  'Invoices are sent on the first working day of each month. Every invoice lists the active minutes of each agent.',
  '## Refunds',
  'Refunds are granted within 30 days of purchase when the service was not used. Ask support with the invoice number.',
  '# Security',
  'API keys are stored as hashes and shown once. Rotate a key from the management console when a developer leaves.',
].join('\n\n');

async function seeded(options: TestWorldOptions = {}) {
  const world = createTestWorld(options);
  const seed = await seedOrganization(world);
  const key = keyOf(seed.project);
  const base = await world.services.knowledgeBases.create(key, { name: 'Manuals', provider: 'azureOpenAI' });
  return { world, key, base };
}

type World = Awaited<ReturnType<typeof seeded>>['world'];

/** The blob trigger's view of a landed file: what the store holds at the file's landing path. */
function landed(world: World, file: { id: string }, key: { projectId: string }, baseId: string) {
  const path = knowledgeSourcePath(key.projectId, baseId, file.id);
  const stored = world.knowledgeStore.files.get(path)!;
  return { projectId: key.projectId, baseId, fileId: file.id, bytes: stored.bytes, etag: stored.etag };
}

describe('knowledge ingest', () => {
  it('when a markdown file lands, it becomes ready with chunks that know their section, an extractive summary and no embeddings', async () => {
    const { world, key, base } = await seeded();
    const added = await world.services.knowledgeIntake.addSentFile(key, base.id, { fileName: 'guide.md', contentType: 'text/markdown', bytes: Buffer.from(GUIDE) });
    expect(added).toMatchObject({ status: 'uploading', originalName: 'guide.md', size: Buffer.byteLength(GUIDE), chunkCount: 0, summary: null });

    await expect(world.services.knowledgeIngest.ingest(landed(world, added, key, base.id))).resolves.toBe('ready');
    const file = await world.services.knowledgeFiles.get(key, base.id, added.id);
    expect(file).toMatchObject({ status: 'ready', type: 'md', contentType: 'text/markdown', failureReason: null, summarySource: 'generated' });
    const chunks = world.knowledgeIndex.ofFile(added.id);
    expect(file.chunkCount).toBe(chunks.length);
    expect(chunks.map((c) => c.id)).toEqual(chunks.map((_, i) => `${added.id}:${i}`));
    expect(chunks.find((c) => c.text.includes('30 days'))?.section).toBe('Billing > Refunds');
    expect(chunks.every((c) => c.embedding === undefined)).toBe(true);
    expect(file.summary!.length).toBeGreaterThan(40);
    expect(file.summary!.length).toBeLessThanOrEqual(450);

    const { results } = await world.services.knowledgeSearch.search(key, base.id, { query: 'how long do refunds take', top: 5 });
    expect(results[0]).toMatchObject({ fileId: added.id, fileName: 'guide.md', section: 'Billing > Refunds' });
  });

  it('when the same blob version is delivered again, nothing changes; a new version ingests again and keeps a summary override', async () => {
    const { world, key, base } = await seeded();
    const added = await world.services.knowledgeIntake.addSentFile(key, base.id, { fileName: 'guide.md', contentType: 'text/markdown', bytes: Buffer.from(GUIDE) });
    const delivery = landed(world, added, key, base.id);
    await world.services.knowledgeIngest.ingest(delivery);
    const ready = await world.services.knowledgeFiles.get(key, base.id, added.id);
    const chunkCount = world.knowledgeIndex.chunks.size;

    await expect(world.services.knowledgeIngest.ingest(delivery)).resolves.toBe('repeat');
    expect((await world.services.knowledgeFiles.get(key, base.id, added.id)).etag).toBe(ready.etag);
    expect(world.knowledgeIndex.chunks.size).toBe(chunkCount);

    await world.services.knowledgeFiles.setSummary(key, base.id, added.id, 'Our billing and security rules.', undefined);
    await world.knowledgeStore.write(knowledgeSourcePath(key.projectId, base.id, added.id), Buffer.from('# Short\n\nOnly one paragraph about onboarding new customers remains here.'), 'text/markdown');
    await expect(world.services.knowledgeIngest.ingest(landed(world, added, key, base.id))).resolves.toBe('ready');
    const again = await world.services.knowledgeFiles.get(key, base.id, added.id);
    expect(again).toMatchObject({ status: 'ready', chunkCount: 1, summary: 'Our billing and security rules.', summarySource: 'override' });
    expect(world.knowledgeIndex.ofFile(added.id).map((c) => c.id)).toEqual([`${added.id}:0`]);
  });

  it.each([
    ['a renamed binary', 'UnsupportedMediaType', 'report.txt', Buffer.from([0x00, 0xff, 0x10, 0x80, 0x00, 0x01])],
    ['an empty document', 'NoExtractableText', 'empty.txt', Buffer.from('   \n\n  ')],
  ])('when the file is %s, it fails with %s and a sentence, and holds no chunks', async (_what, code, fileName, bytes) => {
    const { world, key, base } = await seeded();
    const added = await world.services.knowledgeIntake.addSentFile(key, base.id, { fileName, contentType: 'text/plain', bytes });
    await expect(world.services.knowledgeIngest.ingest(landed(world, added, key, base.id))).resolves.toBe('failed');
    const file = await world.services.knowledgeFiles.get(key, base.id, added.id);
    expect(file).toMatchObject({ status: 'failed', failureReason: code, chunkCount: 0, summary: null });
    expect(file.failureMessage).toMatch(/\.$/);
    expect(world.knowledgeIndex.ofFile(added.id)).toEqual([]);
  });

  it('when a text file is over its 10 MB limit, it fails with FileTooLarge naming both sizes', async () => {
    const { world, key, base } = await seeded();
    const bytes = Buffer.alloc(KNOWLEDGE_SIZE_LIMITS.txt + 1, 'a');
    const added = await world.services.knowledgeIntake.addSentFile(key, base.id, { fileName: 'big.txt', contentType: 'text/plain', bytes });
    await expect(world.services.knowledgeIngest.ingest(landed(world, added, key, base.id))).resolves.toBe('failed');
    const file = await world.services.knowledgeFiles.get(key, base.id, added.id);
    expect(file).toMatchObject({ status: 'failed', failureReason: 'FileTooLarge', type: 'txt' });
    expect(file.failureMessage).toBe('The txt file is 10.0 MB; txt files may be at most 10.0 MB.');
  });

  it('when an embedding client is configured, chunks and queries are embedded; a refusal fails the file with EmbeddingFailed, a passing fault is thrown for a retry', async () => {
    const embeddings = new CountingEmbeddingClient();
    const { world, key, base } = await seeded({ embeddings });
    const added = await world.services.knowledgeIntake.addSentFile(key, base.id, { fileName: 'guide.md', contentType: 'text/markdown', bytes: Buffer.from(GUIDE) });
    await world.services.knowledgeIngest.ingest(landed(world, added, key, base.id));
    expect(world.knowledgeIndex.ofFile(added.id).every((c) => c.embedding?.length === 26)).toBe(true);
    expect(await world.services.knowledgeFiles.get(key, base.id, added.id)).toMatchObject({ status: 'ready' });
    await world.services.knowledgeSearch.search(key, base.id, { query: 'refunds', top: 3 });
    expect(embeddings.calls).toBe(2);

    const second = await world.services.knowledgeIntake.addSentFile(key, base.id, { fileName: 'other.txt', contentType: 'text/plain', bytes: Buffer.from('Onboarding takes a week for every new customer account.') });
    embeddings.failWith = new EmbeddingFailedError(true, 503, 5);
    await expect(world.services.knowledgeIngest.ingest(landed(world, second, key, base.id))).rejects.toBeInstanceOf(EmbeddingFailedError);
    expect(await world.services.knowledgeFiles.get(key, base.id, second.id)).toMatchObject({ status: 'processing' });
    embeddings.failWith = new EmbeddingFailedError(false, 400, 1);
    await expect(world.services.knowledgeIngest.ingest(landed(world, second, key, base.id))).resolves.toBe('failed');
    expect(await world.services.knowledgeFiles.get(key, base.id, second.id)).toMatchObject({ status: 'failed', failureReason: 'EmbeddingFailed' });

    // A search whose query cannot be embedded is answered lexically.
    embeddings.failWith = new EmbeddingFailedError(true, 429, 5);
    const { results } = await world.services.knowledgeSearch.search(key, base.id, { query: 'refunds purchase', top: 3 });
    expect(results[0]?.fileId).toBe(added.id);
  });

  it('when the model summariser fails, the summary is extractive; when it answers, its summary is kept', async () => {
    let failing = true;
    const summarizer: Summarizer = {
      async summarize({ fileName }) {
        if (failing) throw new Error('model down');
        return `About ${fileName}.`;
      },
    };
    const { world, key, base } = await seeded({ summarizer });
    const first = await world.services.knowledgeIntake.addSentFile(key, base.id, { fileName: 'guide.md', contentType: 'text/markdown', bytes: Buffer.from(GUIDE) });
    await world.services.knowledgeIngest.ingest(landed(world, first, key, base.id));
    expect((await world.services.knowledgeFiles.get(key, base.id, first.id)).summary).toContain('Invoices are sent');
    failing = false;
    const second = await world.services.knowledgeIntake.addSentFile(key, base.id, { fileName: 'b.md', contentType: 'text/markdown', bytes: Buffer.from(GUIDE) });
    await world.services.knowledgeIngest.ingest(landed(world, second, key, base.id));
    expect((await world.services.knowledgeFiles.get(key, base.id, second.id)).summary).toBe('About b.md.');
  });

  it('when a file is deleted before its bytes land, or its base is, the landed blob is removed and nothing is indexed', async () => {
    const { world, key, base } = await seeded();
    const added = await world.services.knowledgeIntake.addSentFile(key, base.id, { fileName: 'guide.md', contentType: 'text/markdown', bytes: Buffer.from(GUIDE) });
    const delivery = landed(world, added, key, base.id);
    await world.services.knowledgeFiles.delete(key, base.id, added.id, undefined);
    // The upload lands after the deletion swept the folder (an upload URL used late).
    await world.knowledgeStore.write(knowledgeSourcePath(key.projectId, base.id, added.id), delivery.bytes, 'text/markdown');
    await expect(world.services.knowledgeIngest.ingest(landed(world, added, key, base.id))).resolves.toBe('fileGone');
    expect(world.knowledgeStore.files.size).toBe(0);
    expect(world.knowledgeIndex.chunks.size).toBe(0);
  });

  it('when every try of the trigger failed, the poison report fails a file still waiting with IngestionFailed, once', async () => {
    const { world, key, base } = await seeded();
    const added = await world.services.knowledgeIntake.addSentFile(key, base.id, { fileName: 'guide.md', contentType: 'text/markdown', bytes: Buffer.from(GUIDE) });
    const { etag } = landed(world, added, key, base.id);
    const blobName = knowledgeSourcePath(key.projectId, base.id, added.id);
    await expect(world.services.knowledgeIngest.abandonIngest(blobName, etag)).resolves.toBe(true);
    expect(await world.services.knowledgeFiles.get(key, base.id, added.id)).toMatchObject({ status: 'failed', failureReason: 'IngestionFailed' });
    await expect(world.services.knowledgeIngest.abandonIngest(blobName, etag)).resolves.toBe(false);
    await expect(world.services.knowledgeIngest.abandonIngest('elsewhere/blob', etag)).resolves.toBe(false);
  });
});

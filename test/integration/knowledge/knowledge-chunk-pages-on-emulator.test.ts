import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCosmosClient } from '../../../shared/adapters/cosmos/client.js';
import { ensureContainers } from '../../../shared/adapters/cosmos/containers.js';
import { CountedContainer } from '../../../shared/adapters/cosmos/counted-container.js';
import { CosmosKnowledgeChunkPageRepository, DEFAULT_CHUNK_PAGE_LIMITS } from '../../../shared/adapters/cosmos/knowledge-chunk-page-repository.js';
import { CosmosKnowledgeChunkRepository } from '../../../shared/adapters/cosmos/knowledge-chunk-repository.js';
import { CosmosKnowledgeIndexVersions } from '../../../shared/adapters/cosmos/knowledge-index-version-repository.js';
import { EmbeddedKnowledgeIndex } from '../../../shared/adapters/knowledge/embedded-knowledge-index.js';
import { chunkDocument, type DocumentBlock } from '../../../shared/domain/knowledge/chunking.js';
import type { IndexedChunk } from '../../../shared/domain/knowledge/knowledge-index.js';
import { emulatorConfig } from '../helpers/test-runtime.js';

/** The embedded index's page documents on the local Cosmos server: size limits, fidelity, and the older per-chunk format. */

let cosmos: ReturnType<typeof createCosmosClient>;
let database: Awaited<ReturnType<typeof ensureContainers>>;
let chunksContainer: CountedContainer;

beforeAll(async () => {
  const config = emulatorConfig('kpages');
  cosmos = createCosmosClient(config, () => {
    throw new Error('the emulator takes its key');
  });
  database = await ensureContainers(cosmos.database(config.cosmos.database));
  chunksContainer = new CountedContainer(database.container('knowledge-chunks'));
});

afterAll(async () => {
  await database?.delete();
  cosmos?.dispose();
});

let sequence = 0;
function baseIdOf(): string {
  sequence += 1;
  return `kb_p${Date.now().toString(36)}${sequence}`;
}

function chunksOf(baseId: string, fileId: string, count: number, make: (i: number) => Partial<IndexedChunk> = () => ({})): IndexedChunk[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `${fileId}:${index}`,
    projectId: 'proj_p',
    baseId,
    fileId,
    index,
    text: `Chunk ${index} of ${fileId}.`,
    ...make(index),
  }));
}

function openIndex(pages = new CosmosKnowledgeChunkPageRepository(chunksContainer)) {
  return new EmbeddedKnowledgeIndex({ pages, versions: new CosmosKnowledgeIndexVersions(new CountedContainer(database.container('knowledge-index-state'))) });
}

async function documentsOf(baseId: string) {
  const { resources } = await database
    .container('knowledge-chunks')
    .items.query<Record<string, unknown>>({ query: 'SELECT * FROM c WHERE c.baseId = @baseId', parameters: [{ name: '@baseId', value: baseId }] })
    .fetchAll();
  return resources;
}

describe('pages of knowledge chunks on the local Cosmos server', () => {
  it('gives back each chunk as written: text, page, section, and the embedding at float32 precision', async () => {
    const baseId = baseIdOf();
    const pages = new CosmosKnowledgeChunkPageRepository(chunksContainer);
    const written = chunksOf(baseId, 'file_a', 3, (i) => ({
      text: ['Ünïcödé “quotes”, tabs\tand\nnew lines', 'plain', 'emoji 🧾 and \\ backslash'][i],
      page: i === 1 ? undefined : i + 1,
      section: i === 2 ? undefined : `Part ${i} > “Sub”`,
      embedding: i === 0 ? undefined : Array.from({ length: 1536 }, (_, d) => Math.cos(d * (i + 1))),
    }));
    expect(await pages.writeFilePages('proj_p', baseId, 'file_a', written)).toEqual(['file_a:p0']);
    const loaded = await pages.loadBase(baseId);
    expect(loaded.map(({ embedding, ...rest }) => ({ ...rest, embedding: embedding === undefined ? undefined : Array.from(embedding) }))).toEqual(
      written.map((chunk) => ({ ...chunk, embedding: chunk.embedding?.map(Math.fround) })),
    );
  });

  it('splits a large file into pages under the size limit, ids <fileId>:p<n>, and a shorter re-ingest deletes the extra pages', async () => {
    const baseId = baseIdOf();
    const index = openIndex();
    const wide = chunksOf(baseId, 'file_a', 300, (i) => ({
      text: `Chunk ${i} ${'of a long manual about refunds and shipping '.repeat(30)}`,
      embedding: Array.from({ length: 1536 }, (_, d) => Math.sin(i + d)),
    }));
    await index.replaceFileChunks('proj_p', baseId, 'file_a', wide);
    const stored = await documentsOf(baseId);
    expect(stored.map((d) => d.id).sort()).toEqual(['file_a:p0', 'file_a:p1', 'file_a:p2'].sort());
    for (const document of stored) expect(Buffer.byteLength(JSON.stringify(document))).toBeLessThan(DEFAULT_CHUNK_PAGE_LIMITS.maxPageBytes + 1024);
    expect(stored.reduce((sum, d) => sum + (d.chunks as unknown[]).length, 0)).toBe(300);
    expect((await index.search({ projectId: 'proj_p', baseId, query: '299', top: 1 }))[0]?.chunkId).toBe('file_a:299');

    await index.replaceFileChunks('proj_p', baseId, 'file_a', wide.slice(0, 10));
    expect((await documentsOf(baseId)).map((d) => d.id)).toEqual(['file_a:p0']);
    expect(await openIndex().search({ projectId: 'proj_p', baseId, query: '299', top: 5 })).toEqual([]);
  });

  it('loads each chunk once while a re-ingest that packs into larger pages has not yet deleted the old ones', async () => {
    const baseId = baseIdOf();
    const before = chunksOf(baseId, 'file_a', 30, (i) => ({ text: `old text ${i}` }));
    const after = chunksOf(baseId, 'file_a', 30, (i) => ({ text: `new text ${i}` }));
    await new CosmosKnowledgeChunkPageRepository(chunksContainer, { maxChunksPerPage: 4 }).writeFilePages('proj_p', baseId, 'file_a', before);
    // Pages of ten: p0–p2 now hold every chunk anew, while the old p3–p7 still hold chunks 12–29.
    const repacked = new CosmosKnowledgeChunkPageRepository(chunksContainer, { maxChunksPerPage: 10 });
    await repacked.writeFilePages('proj_p', baseId, 'file_a', after);
    expect(await repacked.documentIdsOfFile(baseId, 'file_a')).toHaveLength(8);
    const loaded = await repacked.loadBase(baseId);
    expect(loaded.map((c) => c.id).sort()).toEqual(before.map((c) => c.id).sort());
    for (const chunk of loaded) expect([`old text ${chunk.index}`, `new text ${chunk.index}`]).toContain(chunk.text);
  });

  it('loads per-chunk documents of the earlier format beside pages, and a re-ingest or deletion of their file removes them', async () => {
    const baseId = baseIdOf();
    const perChunk = new CosmosKnowledgeChunkRepository(chunksContainer);
    await perChunk.upsertChunks(chunksOf(baseId, 'file_old', 3, (i) => ({ text: `legacy refund rule ${i}`, embedding: [i, 1] })));
    await perChunk.upsertChunks(chunksOf(baseId, 'file_gone', 2, (i) => ({ text: `legacy shipping rule ${i}` })));
    const index = openIndex();
    await index.replaceFileChunks('proj_p', baseId, 'file_new', chunksOf(baseId, 'file_new', 2, (i) => ({ text: `paged warranty rule ${i}` })));
    const loaded = await new CosmosKnowledgeChunkPageRepository(chunksContainer).loadBase(baseId);
    expect(loaded.map((c) => c.id).sort()).toEqual(['file_gone:0', 'file_gone:1', 'file_new:0', 'file_new:1', 'file_old:0', 'file_old:1', 'file_old:2']);
    expect(Array.from(loaded.find((c) => c.id === 'file_old:2')?.embedding ?? [])).toEqual([2, 1]);

    await index.replaceFileChunks('proj_p', baseId, 'file_old', chunksOf(baseId, 'file_old', 1, () => ({ text: 'paged refund rule' })));
    await index.deleteFile('proj_p', baseId, 'file_gone');
    expect((await documentsOf(baseId)).map((d) => d.id).sort()).toEqual(['file_new:p0', 'file_old:p0']);
    const hits = await index.search({ projectId: 'proj_p', baseId, query: 'refund', top: 10 });
    expect(hits.map((h) => [h.chunkId, h.text])).toEqual([['file_old:0', 'paged refund rule']]);
  });

  it('stores a chunk that repeats the tail of the one before it on the same page without that tail, and each page\'s sections once, and gives back every chunk whole', async () => {
    const baseId = baseIdOf();
    const sentence = (i: number) => `Rule ${i} says that a refund … of order ${i} is paid within ${i % 30} days of the request.`;
    const blocks: DocumentBlock[] = [
      { kind: 'heading', level: 1, text: 'Refunds' },
      ...Array.from({ length: 60 }, (_, i): DocumentBlock => ({ kind: 'paragraph', text: sentence(i) })),
      { kind: 'heading', level: 1, text: 'Shipping' },
      { kind: 'paragraph', text: '… starts with the mark, then ships in two days.' },
    ];
    const chunks = chunkDocument(blocks, { targetChars: 300, maxChars: 500, overlapChars: 80 });
    const written: IndexedChunk[] = chunks.map((chunk) => ({ ...chunk, id: `file_o:${chunk.index}`, projectId: 'proj_p', baseId, fileId: 'file_o' }));
    expect(written.filter((chunk) => chunk.text.includes(' … ')).length).toBeGreaterThan(10);
    const pages = new CosmosKnowledgeChunkPageRepository(chunksContainer, { maxChunksPerPage: 7 });
    expect((await pages.writeFilePages('proj_p', baseId, 'file_o', written)).length).toBeGreaterThan(1);

    const documents = await documentsOf(baseId);
    for (const document of documents) expect(document.sections).toEqual(expect.arrayContaining([expect.stringMatching(/^(Refunds|Shipping)$/)]));
    const stored = documents.flatMap((d) => d.chunks as { index: number; text: string; overlap?: number; section?: string; sectionRef?: number }[]);
    expect(stored.every((chunk) => chunk.section === undefined && chunk.sectionRef !== undefined)).toBe(true);
    const shortened = stored.filter((chunk) => chunk.overlap !== undefined);
    expect(shortened.length).toBeGreaterThan(5);
    for (const chunk of shortened) expect(written[chunk.index]!.text.endsWith(` … ${chunk.text}`)).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(stored))).toBeLessThan(Buffer.byteLength(JSON.stringify(written.map((c) => c.text))));

    const loaded = await pages.loadBase(baseId);
    expect(loaded.sort((a, b) => a.index - b.index)).toEqual(written.map((chunk) => ({ ...chunk, embedding: undefined })));
  });

  it('refuses a page whose first chunk claims an overlap with a chunk before it, or names a section the page does not list', async () => {
    const baseId = baseIdOf();
    await chunksContainer.upsert({ id: 'file_bad:p0', kind: 'chunkPage', baseId, projectId: 'proj_p', fileId: 'file_bad', chunks: [{ index: 3, text: 'x', overlap: 4 }] });
    await expect(new CosmosKnowledgeChunkPageRepository(chunksContainer).loadBase(baseId)).rejects.toThrow(/file_bad:p0 does not match its schema \(fields: chunks\.0\.overlap\)/);
    const other = baseIdOf();
    await chunksContainer.upsert({ id: 'file_bad:p0', kind: 'chunkPage', baseId: other, projectId: 'proj_p', fileId: 'file_bad', sections: ['A'], chunks: [{ index: 0, text: 'x', sectionRef: 1 }] });
    await expect(new CosmosKnowledgeChunkPageRepository(chunksContainer).loadBase(other)).rejects.toThrow(/file_bad:p0 does not match its schema \(fields: chunks\.0\.sectionRef\)/);
  });

  it('reads pages written before overlaps and sections were shared: whole texts, a section on each chunk', async () => {
    const baseId = baseIdOf();
    await chunksContainer.upsert({
      id: 'file_v1:p0',
      kind: 'chunkPage',
      baseId,
      projectId: 'proj_p',
      fileId: 'file_v1',
      chunks: [
        { index: 0, text: 'Refunds take five days.', section: 'Billing' },
        { index: 1, text: 'take five days. … Invoices come monthly.', section: 'Billing' },
        { index: 2, text: 'No section here.' },
      ],
    });
    const loaded = await new CosmosKnowledgeChunkPageRepository(chunksContainer).loadBase(baseId);
    expect(loaded.map((c) => [c.id, c.text, c.section])).toEqual([
      ['file_v1:0', 'Refunds take five days.', 'Billing'],
      ['file_v1:1', 'take five days. … Invoices come monthly.', 'Billing'],
      ['file_v1:2', 'No section here.', undefined],
    ]);
  });

  it('refuses a document that is not what it claims: a page whose embedding is not base64 float32', async () => {
    const baseId = baseIdOf();
    await chunksContainer.upsert({ id: 'file_bad:p0', kind: 'chunkPage', baseId, projectId: 'proj_p', fileId: 'file_bad', chunks: [{ index: 0, text: 'x', embedding: 'not base64!' }] });
    await expect(new CosmosKnowledgeChunkPageRepository(chunksContainer).loadBase(baseId)).rejects.toThrow(/knowledge-chunks\/file_bad:p0 does not match its schema \(fields: chunks\.0\.embedding\)/);
  });
});

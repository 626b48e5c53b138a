import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startCosmosServer } from '../local/emulators/cosmos.js';
import { createCosmosClient } from '../shared/adapters/cosmos/client.js';
import { ensureContainers } from '../shared/adapters/cosmos/containers.js';
import { CountedContainer } from '../shared/adapters/cosmos/counted-container.js';
import { BaseSearchIndex } from '../shared/adapters/knowledge/base-search-index.js';
import { createKnowledgeIndex } from '../shared/adapters/knowledge/knowledge-index-factory.js';
import type { IndexedChunk } from '../shared/domain/knowledge/knowledge-index.js';
import { fakeEmbedding } from '../test/fakes/azure-openai.js';
import { round, timing, type Timing } from './stats.js';

export interface KnowledgeSearchBenchOptions {
  readonly chunks?: number;
  readonly queries?: number;
  /** Dimensions of the fake embeddings stored in Cosmos (the Azure OpenAI fake's default). */
  readonly dimensions?: number;
}

export interface KnowledgeSearchBenchResults {
  readonly chunks: number;
  readonly files: number;
  readonly dimensions: number;
  readonly queries: number;
  readonly averageChunkChars: number;
  /** Writing every chunk through the index (upserts to the local Cosmos server, version bumps). */
  readonly ingestSeconds: number;
  /** The first search of the base on a fresh instance: loading 10,000 chunks from Cosmos and building the index. */
  readonly coldBuildMs: number;
  /** Warm searches through the embedded index, each with its version point read on Cosmos. */
  readonly lexical: Timing;
  readonly hybrid: Timing;
  /** For scale: the in-memory index alone with production-size (1,536-dimension) vectors, no Cosmos read. */
  readonly hybrid1536InMemory: Timing;
  readonly targetP95Ms: 20;
}

/** A small deterministic PRNG (mulberry32), so every run searches the same corpus with the same queries. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMON = (
  'account order refund payment shipping delivery support customer product price invoice return policy warranty ' +
  'service plan subscription billing address email password security access team manager report data export import ' +
  'setting option feature request issue error update release version device mobile browser network storage backup'
).split(' ');

/**
 * A corpus shaped like documentation: a vocabulary of 6,000 words drawn with a Zipf-like skew (a few words in most
 * chunks, most words in few), about 900 characters a chunk as the chunker aims for.
 */
function corpus(chunks: number, random: () => number) {
  const syllables = ['ka', 'lo', 're', 'mi', 'tu', 'sen', 'dor', 'vel', 'pra', 'qui', 'zan', 'fe', 'no', 'gal', 'bri', 'tos'];
  const vocabulary = [...COMMON];
  while (vocabulary.length < 6000) {
    const length = 2 + Math.floor(random() * 3);
    let word = '';
    for (let i = 0; i < length; i += 1) word += syllables[Math.floor(random() * syllables.length)];
    vocabulary.push(word);
  }
  const word = () => vocabulary[Math.min(vocabulary.length - 1, Math.floor(vocabulary.length * random() ** 2.5))] as string;
  const texts: string[] = [];
  for (let c = 0; c < chunks; c += 1) {
    const words: string[] = [];
    let chars = 0;
    while (chars < 900) {
      const next = word();
      words.push(next);
      chars += next.length + 1;
    }
    texts.push(`${words.join(' ')}.`);
  }
  const queries = (count: number) =>
    Array.from({ length: count }, () => Array.from({ length: 3 + Math.floor(random() * 4) }, word).join(' '));
  return { texts, queries };
}

async function timeEach(queries: readonly string[], search: (query: string) => Promise<unknown>): Promise<Timing> {
  const samples: number[] = [];
  for (const query of queries) {
    const started = performance.now();
    await search(query);
    samples.push(performance.now() - started);
  }
  return timing(samples);
}

/**
 * p95 latency of `KnowledgeIndex.search` over 10,000 chunks in one base, through the embedded index on the local
 * Cosmos server, warm: lexical only, and hybrid with the Azure OpenAI fake's deterministic embeddings (computed in
 * process with the fake's own function, so the figure is the index's, not the fake's HTTP). Target: p95 ≤ 20 ms.
 */
export async function runKnowledgeSearchBench(options: KnowledgeSearchBenchOptions = {}): Promise<KnowledgeSearchBenchResults> {
  const chunkCount = options.chunks ?? 10_000;
  const queryCount = options.queries ?? 300;
  const dimensions = options.dimensions ?? 256;
  const filesCount = 10;
  const random = prng(20_250_101);
  const { texts, queries } = corpus(chunkCount, random);
  const measured = queries(queryCount);
  const warmup = queries(20);

  const root = mkdtempSync(path.join(os.tmpdir(), 'companion-bench-knowledge-'));
  const server = await startCosmosServer({ certDir: path.join(root, 'cosmos') });
  const cosmos = createCosmosClient(
    { cosmos: { endpoint: server.endpoint, key: server.key, database: 'bench-knowledge', emulatorCertFile: server.certFile } },
    () => {
      throw new Error('the local Cosmos server takes its key');
    },
  );
  try {
    const database = await ensureContainers(cosmos.database('bench-knowledge'));
    const open = () =>
      createKnowledgeIndex('embedded', {
        chunks: new CountedContainer(database.container('knowledge-chunks')),
        versions: new CountedContainer(database.container('knowledge-index-state')),
      });
    const projectId = 'proj_bench';
    const baseId = 'kb_bench';
    const perFile = Math.ceil(chunkCount / filesCount);

    const ingestStarted = performance.now();
    const writer = open();
    for (let f = 0; f < filesCount; f += 1) {
      const fileId = `file_bench${f}`;
      const chunks: IndexedChunk[] = texts.slice(f * perFile, (f + 1) * perFile).map((text, index) => ({
        id: `${fileId}:${index}`,
        projectId,
        baseId,
        fileId,
        index,
        text,
        page: 1 + Math.floor(index / 4),
        embedding: fakeEmbedding(text, dimensions),
      }));
      await writer.replaceFileChunks(projectId, baseId, fileId, chunks);
    }
    const ingestSeconds = (performance.now() - ingestStarted) / 1000;

    // A fresh instance, as after a restart: its first search loads the base and builds the index.
    const index = open();
    const coldStarted = performance.now();
    const first = await index.search({ projectId, baseId, query: warmup[0] ?? 'refund', top: 5 });
    const coldBuildMs = performance.now() - coldStarted;
    if (first.length === 0) throw new Error('the benchmark corpus returned nothing for a query drawn from it');

    const embeddingOf = new Map([...measured, ...warmup].map((q) => [q, fakeEmbedding(q, dimensions)]));
    for (const query of warmup) {
      await index.search({ projectId, baseId, query, top: 5 });
      await index.search({ projectId, baseId, query, queryEmbedding: embeddingOf.get(query), top: 5 });
    }
    const lexical = await timeEach(measured, (query) => index.search({ projectId, baseId, query, top: 5 }));
    const hybrid = await timeEach(measured, (query) =>
      index.search({ projectId, baseId, query, queryEmbedding: embeddingOf.get(query), top: 5 }),
    );

    // The same corpus with 1,536-dimension vectors, in memory only (storing them in the local server is not the point).
    const wide = BaseSearchIndex.build(
      texts.map((text, i) => ({
        id: `file_wide:${i}`,
        projectId,
        baseId: 'kb_wide',
        fileId: 'file_wide',
        index: i,
        text,
        embedding: Array.from({ length: 1536 }, () => random() * 2 - 1),
      })),
    );
    const wideQueries = new Map(measured.map((q) => [q, Array.from({ length: 1536 }, () => random() * 2 - 1)]));
    const hybrid1536InMemory = await timeEach(measured, async (query) =>
      wide.search({ projectId, query, queryEmbedding: wideQueries.get(query), top: 5 }),
    );

    return {
      chunks: chunkCount,
      files: filesCount,
      dimensions,
      queries: queryCount,
      averageChunkChars: Math.round(texts.reduce((sum, t) => sum + t.length, 0) / texts.length),
      ingestSeconds: round(ingestSeconds, 1),
      coldBuildMs: round(coldBuildMs, 0),
      lexical,
      hybrid,
      hybrid1536InMemory,
      targetP95Ms: 20,
    };
  } finally {
    cosmos.dispose();
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

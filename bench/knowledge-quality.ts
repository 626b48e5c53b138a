import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { BaseSearchIndex } from '../shared/adapters/knowledge/base-search-index.js';
import { createDocumentExtractor } from '../shared/adapters/knowledge/extraction/document-extractor.js';
import { chunkDocument } from '../shared/domain/knowledge/chunking.js';
import type { IndexedChunk } from '../shared/domain/knowledge/knowledge-index.js';
import { fakeEmbedding } from '../test/fakes/azure-openai.js';
import { round } from './stats.js';

/**
 * Retrieval quality over the question set in test/fixtures/knowledge-qa: each document goes through the real
 * extractor and chunker into the same in-memory index the embedded knowledge index searches; a question is answered
 * when a passage of the right document containing the known answer is ranked. Reports recall@5 and MRR for the
 * lexical path and the hybrid path (vectors from the Azure OpenAI fake's deterministic embeddings, the only
 * embeddings available without a real deployment).
 */

const questionSet = z.array(z.object({ question: z.string(), file: z.string(), answer: z.string() })).min(30);

export interface RetrievalQuality {
  readonly documents: number;
  readonly chunks: number;
  readonly questions: number;
  readonly lexical: { readonly recallAt5: number; readonly mrr: number; readonly misses: readonly string[] };
  readonly hybrid: { readonly recallAt5: number; readonly mrr: number; readonly misses: readonly string[] };
}

const DIMENSIONS = 256;

function fixturesDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'test', 'fixtures', 'knowledge-qa');
    try {
      readdirSync(candidate);
      return candidate;
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) throw new Error('test/fixtures/knowledge-qa not found');
      dir = parent;
    }
  }
}

export async function runKnowledgeQualityBench(): Promise<RetrievalQuality> {
  const root = fixturesDir();
  const questions = questionSet.parse(JSON.parse(readFileSync(path.join(root, 'questions.json'), 'utf8')));
  const extractor = createDocumentExtractor();
  const chunks: IndexedChunk[] = [];
  const files = readdirSync(path.join(root, 'docs')).sort();
  for (const file of files) {
    const bytes = readFileSync(path.join(root, 'docs', file));
    const sniffed = await extractor.sniff(bytes, file);
    if (!sniffed.ok) throw new Error(`${file}: ${sniffed.detail}`);
    const extracted = await extractor.extract(bytes, sniffed.type);
    if (!extracted.ok) throw new Error(`${file}: ${extracted.detail}`);
    for (const chunk of chunkDocument(extracted.blocks)) {
      chunks.push({
        id: `${file}:${chunk.index}`,
        projectId: 'proj_quality',
        baseId: 'kb_quality',
        fileId: file,
        index: chunk.index,
        text: chunk.text,
        section: chunk.section,
        page: chunk.page,
        embedding: fakeEmbedding(chunk.section === undefined ? chunk.text : `${chunk.section}\n${chunk.text}`, DIMENSIONS),
      });
    }
  }
  const index = BaseSearchIndex.build(chunks);

  const evaluate = (hybrid: boolean): RetrievalQuality['lexical'] => {
    let found = 0;
    let reciprocal = 0;
    const misses: string[] = [];
    for (const q of questions) {
      const hits = index.search({
        projectId: 'proj_quality',
        query: q.question,
        queryEmbedding: hybrid ? fakeEmbedding(q.question, DIMENSIONS) : undefined,
        top: 5,
      });
      const rank = hits.findIndex((hit) => hit.fileId === q.file && hit.text.includes(q.answer));
      if (rank >= 0) {
        found += 1;
        reciprocal += 1 / (rank + 1);
      } else {
        misses.push(q.question);
      }
    }
    return { recallAt5: round(found / questions.length, 3), mrr: round(reciprocal / questions.length, 3), misses };
  };

  return {
    documents: files.length,
    chunks: chunks.length,
    questions: questions.length,
    lexical: evaluate(false),
    hybrid: evaluate(true),
  };
}

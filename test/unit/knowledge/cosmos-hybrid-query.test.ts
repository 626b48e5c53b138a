import { describe, expect, it } from 'vitest';
import { KNOWLEDGE_CHUNKS_CONTAINER, knowledgeChunksContainerDefinition } from '../../../shared/adapters/cosmos/knowledge-chunks-container.js';
import { MAX_FULL_TEXT_TERMS, buildCosmosKnowledgeQuery, fullTextTermsOf } from '../../../shared/adapters/knowledge/cosmos-hybrid-query.js';

const base = { projectId: 'proj_1', baseId: 'kb_1' };
const scope = [
  { name: '@baseId', value: 'kb_1' },
  { name: '@projectId', value: 'proj_1' },
];

describe('the Cosmos DB knowledge query', () => {
  it('passes the query words unstemmed and unique, without stop words, to full-text search', () => {
    expect(fullTextTermsOf('How do REFUNDS work, and do refunds expire?')).toEqual(['do', 'refunds', 'work', 'expire']);
    expect(fullTextTermsOf(Array.from({ length: 40 }, (_, i) => `word${i}`).join(' '))).toHaveLength(MAX_FULL_TEXT_TERMS);
  });

  it('with words and a query embedding, fuses FullTextScore and VectorDistance by RRF inside the base and project', () => {
    const query = buildCosmosKnowledgeQuery({ ...base, query: 'refund policy', queryEmbedding: [0.1, 0.2], top: 5 });
    expect(query).toEqual({
      mode: 'hybrid',
      spec: {
        query:
          'SELECT TOP 5 c.id, c.fileId, c.text, c.page, c.section FROM c WHERE c.baseId = @baseId AND c.projectId = @projectId ' +
          'ORDER BY RANK RRF(FullTextScore(c.text, @t0, @t1), VectorDistance(c.embedding, @embedding))',
        parameters: [...scope, { name: '@t0', value: 'refund' }, { name: '@t1', value: 'policy' }, { name: '@embedding', value: [0.1, 0.2] }],
      },
    });
  });

  it('without an embedding, keeps chunks holding any term and ranks them by FullTextScore', () => {
    expect(buildCosmosKnowledgeQuery({ ...base, query: 'refund', top: 3 })).toEqual({
      mode: 'fullText',
      spec: {
        query:
          'SELECT TOP 3 c.id, c.fileId, c.text, c.page, c.section FROM c WHERE c.baseId = @baseId AND c.projectId = @projectId ' +
          'AND FullTextContainsAny(c.text, @t0) ORDER BY RANK FullTextScore(c.text, @t0)',
        parameters: [...scope, { name: '@t0', value: 'refund' }],
      },
    });
  });

  it('without searchable words, ranks by vector distance alone, or not at all', () => {
    expect(buildCosmosKnowledgeQuery({ ...base, query: 'what is it?', queryEmbedding: [1, 0], top: 2 })).toEqual({
      mode: 'vector',
      spec: {
        query:
          'SELECT TOP 2 c.id, c.fileId, c.text, c.page, c.section FROM c WHERE c.baseId = @baseId AND c.projectId = @projectId ' +
          'ORDER BY VectorDistance(c.embedding, @embedding)',
        parameters: [...scope, { name: '@embedding', value: [1, 0] }],
      },
    });
    expect(buildCosmosKnowledgeQuery({ ...base, query: 'what is it?', top: 2 })).toBeUndefined();
  });

  it('never puts text of the request into the query string, only into parameters', () => {
    const hostile = "x') OR 1=1 --";
    const query = buildCosmosKnowledgeQuery({ projectId: "p' OR '1'='1", baseId: 'kb_1', query: hostile, queryEmbedding: [1], top: 1 });
    expect(query?.spec.query).not.toContain("'");
    expect(() => buildCosmosKnowledgeQuery({ ...base, query: 'x', top: 0 })).toThrow(RangeError);
    expect(() => buildCosmosKnowledgeQuery({ ...base, query: 'x', top: 101 })).toThrow(RangeError);
  });
});

describe('the knowledge-chunks container definition for Cosmos DB vector and full-text search', () => {
  it('partitions by base and declares the embedding, its DiskANN index and the full-text index on the text', () => {
    expect(KNOWLEDGE_CHUNKS_CONTAINER).toMatchObject({
      id: 'knowledge-chunks',
      partitionKey: { paths: ['/baseId'], kind: 'Hash' },
      vectorEmbeddingPolicy: { vectorEmbeddings: [{ path: '/embedding', dataType: 'float32', distanceFunction: 'cosine', dimensions: 1536 }] },
      fullTextPolicy: { defaultLanguage: 'en-US', fullTextPaths: [{ path: '/text', language: 'en-US' }] },
      indexingPolicy: {
        excludedPaths: expect.arrayContaining([{ path: '/embedding/*' }]),
        vectorIndexes: [{ path: '/embedding', type: 'diskANN' }],
        fullTextIndexes: [{ path: '/text' }],
      },
    });
    expect(knowledgeChunksContainerDefinition(256).vectorEmbeddingPolicy.vectorEmbeddings[0]?.dimensions).toBe(256);
    // Plain JSON, as the deployment templates embed it.
    expect(JSON.parse(JSON.stringify(KNOWLEDGE_CHUNKS_CONTAINER))).toEqual(KNOWLEDGE_CHUNKS_CONTAINER);
  });
});

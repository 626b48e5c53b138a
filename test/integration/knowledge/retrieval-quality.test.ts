import { describe, expect, it } from 'vitest';
import { runKnowledgeQualityBench } from '../../../bench/knowledge-quality.js';

describe('retrieval quality over the knowledge question set', () => {
  it('finds the passage holding the answer in the top 5 for at least 90% of 30+ questions over 10+ documents', async () => {
    const quality = await runKnowledgeQualityBench();
    expect(quality.documents).toBeGreaterThanOrEqual(10);
    expect(quality.questions).toBeGreaterThanOrEqual(30);
    expect(quality.lexical.recallAt5).toBeGreaterThanOrEqual(0.9);
    expect(quality.hybrid.recallAt5).toBeGreaterThanOrEqual(0.9);
  });
});

import { describe, expect, it } from 'vitest';
import { EmbeddingFailedError } from '../../../shared/domain/knowledge/embedding-failure.js';
import { FaqMatcher } from '../../../shared/services/faq-matcher.js';
import { keyOf } from '../fakes/api-key-principals.js';
import { HashingEmbeddingClient } from '../fakes/hashing-embedding-client.js';
import { createTestWorld, seedOrganization } from '../fakes/test-services.js';

const billing = [
  { question: 'How do I get a refund for my order?', answer: 'Refunds are paid within five days of the return arriving.' },
  { question: 'Which payment methods do you accept?', answer: 'Cards, PayPal and bank transfer.' },
];
const account = [
  { question: 'How do I reset my password?', answer: 'Open Settings, choose Security and press Reset password.' },
  { question: 'What are your opening hours?', answer: 'We are open Monday to Friday, 9 to 5.' },
];

async function seeded(embeddings?: HashingEmbeddingClient) {
  const world = createTestWorld(embeddings === undefined ? {} : { embeddings });
  const seed = await seedOrganization(world);
  const other = await seedOrganization(world, 'Globex');
  const key = keyOf(seed.project);
  const first = await world.services.faqs.create(key, { name: 'Billing', faqs: billing });
  const second = await world.services.faqs.create(key, { name: 'Account', faqs: account });
  const foreign = await world.services.faqs.create(keyOf(other.project), { name: 'Theirs', faqs: [{ question: 'Secret?', answer: 'Theirs.' }] });
  return { world, projectId: seed.project.id, ids: [first.id, second.id], first, second, foreign };
}

describe('the FAQ matcher', () => {
  it('without embeddings, finds the pair lexically across the given collections, with a normalised score', async () => {
    const { world, projectId, ids, second } = await seeded();
    const match = await world.services.faqMatcher.matchFaq(projectId, ids, 'Hi, could you tell me how to reset my password?');
    expect(match).toEqual({
      collectionId: second.id,
      item: { id: second.items[0]?.id, question: 'How do I reset my password?', answer: 'Open Settings, choose Security and press Reset password.' },
      score: expect.any(Number),
      method: 'lexical',
    });
    expect(match?.score).toBeGreaterThan(0.9);
  });

  it('answers nothing when no pair reaches the threshold, no collection is given, or a question is empty', async () => {
    const { world, projectId, ids } = await seeded();
    expect(await world.services.faqMatcher.matchFaq(projectId, ids, 'How do I reset the coffee machine?')).toBeUndefined();
    expect(await world.services.faqMatcher.matchFaq(projectId, [], 'reset my password')).toBeUndefined();
    expect(await world.services.faqMatcher.matchFaq(projectId, ids, '   ')).toBeUndefined();
  });

  it("skips collections that do not exist or are another project's", async () => {
    const { world, projectId, ids, foreign } = await seeded();
    expect(await world.services.faqMatcher.matchFaq(projectId, ['faq_gone', foreign.id], 'Secret?')).toBeUndefined();
    expect((await world.services.faqMatcher.matchFaq(projectId, ['faq_gone', ...ids], 'refund for my order'))?.item.question).toBe(
      'How do I get a refund for my order?',
    );
  });

  it('with embeddings, matches a rephrased question semantically, by the cosine of the question embeddings', async () => {
    const embeddings = new HashingEmbeddingClient(256);
    const { world, projectId, ids, first } = await seeded(embeddings);
    const match = await world.services.faqMatcher.matchFaq(projectId, ids, 'how do i get a refund for my order');
    expect(match).toMatchObject({ collectionId: first.id, method: 'semantic', item: { question: 'How do I get a refund for my order?' } });
    expect(match?.score).toBeCloseTo(1, 5);
  });

  it('with embeddings, falls back to the lexical score when no pair is semantically close enough', async () => {
    const embeddings = new HashingEmbeddingClient(256);
    const { world, projectId, ids } = await seeded(embeddings);
    const strict = new FaqMatcher({ faqs: world.faqs, embeddings, logger: world.logger }, { semanticThreshold: 0.99 });
    const match = await strict.matchFaq(projectId, ids, 'reset password');
    expect(match).toMatchObject({ method: 'lexical', item: { question: 'How do I reset my password?' } });
  });

  it('when the question cannot be embedded, matches lexically and logs a warning without details', async () => {
    const embeddings = new HashingEmbeddingClient(256);
    const { world, projectId, ids } = await seeded(embeddings);
    embeddings.failWith = new EmbeddingFailedError(true, 503, 5);
    const match = await world.services.faqMatcher.matchFaq(projectId, ids, 'how do I reset my password');
    expect(match?.method).toBe('lexical');
    expect(world.logger.lines).toEqual([
      { level: 'warn', message: 'FAQ question could not be embedded; matching lexically', properties: { error: 'EmbeddingFailedError' } },
    ]);
  });

  it('when the embedding takes longer than the turn can wait, matches lexically', async () => {
    const embeddings = new HashingEmbeddingClient(256);
    const { world, projectId, ids } = await seeded(embeddings);
    const slow = { model: embeddings.model, dimensions: embeddings.dimensions, embed: () => new Promise<number[][]>(() => undefined) };
    const matcher = new FaqMatcher({ faqs: world.faqs, embeddings: slow, logger: world.logger }, { embeddingTimeoutMs: 20 });
    const match = await matcher.matchFaq(projectId, ids, 'how do I reset my password');
    expect(match?.method).toBe('lexical');
    expect(world.logger.lines[0]?.properties).toEqual({ error: 'EmbeddingTimedOut' });
  });

  it('uses only embeddings of the current deployment: pairs embedded by another model are matched lexically', async () => {
    const before = new HashingEmbeddingClient(256, 'old-model');
    const { world, projectId, ids } = await seeded(before);
    const now = new HashingEmbeddingClient(256, 'new-model');
    const matcher = new FaqMatcher({ faqs: world.faqs, embeddings: now, logger: world.logger });
    const match = await matcher.matchFaq(projectId, ids, 'how do I reset my password');
    expect(match?.method).toBe('lexical');
    expect(now.embedded).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { NotFoundError, PreconditionFailedError, ValidationError } from '../../../shared/domain/errors.js';
import { FaqLimitExceededError, MAX_FAQ_ITEMS } from '../../../shared/domain/faq.js';
import { EmbeddingFailedError } from '../../../shared/domain/knowledge/embedding-failure.js';
import { storedCompanion } from '../fakes/agent-fixtures.js';
import { keyOf } from '../fakes/api-key-principals.js';
import { HashingEmbeddingClient } from '../fakes/hashing-embedding-client.js';
import { createTestWorld, seedOrganization } from '../fakes/test-services.js';

const page = { pageIndex: 0, pageSize: 20 };
const pairs = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => ({ question: `Question ${from + i}?`, answer: `Answer ${from + i}.` }));

async function seeded(options: { embeddings?: HashingEmbeddingClient } = {}) {
  const world = createTestWorld(options);
  const seed = await seedOrganization(world);
  const other = await seedOrganization(world, 'Globex');
  return { world, key: keyOf(seed.project), otherKey: keyOf(other.project), project: seed.project };
}

describe('FAQ collections', () => {
  it('when a collection is created, its pairs get ids and timestamps, and it is listed in its project only', async () => {
    const { world, key, otherKey, project } = await seeded();
    const faq = await world.services.faqs.create(key, { name: 'Billing', faqs: pairs(2) });
    expect(faq).toMatchObject({
      id: expect.stringMatching(/^faq_/),
      projectId: project.id,
      name: 'Billing',
      created: '2025-01-01T00:00:00.000Z',
      items: [
        { id: expect.stringMatching(/^qa_/), question: 'Question 0?', answer: 'Answer 0.', createdAt: '2025-01-01T00:00:00.000Z' },
        { id: expect.stringMatching(/^qa_/), question: 'Question 1?' },
      ],
    });
    expect((await world.services.faqs.list(key, page)).items.map((c) => c.id)).toEqual([faq.id]);
    expect((await world.services.faqs.list(otherKey, page)).totalCount).toBe(0);
    await expect(world.services.faqs.get(otherKey, faq.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.faqs.delete(otherKey, faq.id, undefined)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('when an agent lists the collection, deleting it fails with FaqCollectionInUse naming the agent, until the agent drops it', async () => {
    const { world, key, project } = await seeded();
    const faq = await world.services.faqs.create(key, { name: 'Billing', faqs: pairs(1) });
    const companion = await storedCompanion(world, project);
    const agent = await world.services.agents.create(key, { companionId: companion.id, name: 'Helper', voiceId: 'alloy', faqCollections: [faq.id] });
    const error = await world.services.faqs.delete(key, faq.id, undefined).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'FaqCollectionInUse' });
    expect((error as Error).message).toContain(agent.id);
    await world.services.agents.update(key, agent.id, { faqCollections: [] }, undefined);
    await world.services.faqs.delete(key, faq.id, undefined);
    await expect(world.services.faqs.get(key, faq.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('when a collection would hold 51 pairs, creating, replacing or adding fails with FaqLimitExceeded', async () => {
    const { world, key } = await seeded();
    await expect(world.services.faqs.create(key, { name: 'Too many', faqs: pairs(MAX_FAQ_ITEMS + 1) })).rejects.toMatchObject({
      code: 'FaqLimitExceeded',
    });
    const full = await world.services.faqs.create(key, { name: 'Full', faqs: pairs(MAX_FAQ_ITEMS) });
    expect(full.items).toHaveLength(50);
    const error = await world.services.faqs.addItem(key, full.id, { question: 'One more?', answer: 'No.' }, undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FaqLimitExceededError);
    expect(error).toMatchObject({ requested: 51 });
    await expect(world.services.faqs.update(key, full.id, { faqs: pairs(51) }, undefined)).rejects.toBeInstanceOf(FaqLimitExceededError);
    expect((await world.services.faqs.get(key, full.id)).items).toHaveLength(50);
  });

  it('adds, changes and removes single pairs, each change one conditional write of the collection', async () => {
    const { world, key } = await seeded();
    const faq = await world.services.faqs.create(key, { name: 'Support', faqs: pairs(1) });
    world.clock.advance(1000);
    const { collection: added, itemId } = await world.services.faqs.addItem(key, faq.id, { question: 'New?', answer: 'Yes.' }, faq.etag);
    expect(added.items.map((i) => i.id)).toEqual([faq.items[0]?.id, itemId]);
    expect(added.updated).toBe('2025-01-01T00:00:01.000Z');

    world.clock.advance(1000);
    const changed = await world.services.faqs.updateItem(key, faq.id, itemId, { answer: 'Certainly.' }, added.etag);
    expect(changed.items[1]).toMatchObject({ id: itemId, question: 'New?', answer: 'Certainly.', createdAt: '2025-01-01T00:00:01.000Z', updatedAt: '2025-01-01T00:00:02.000Z' });
    expect(changed.items[0]?.updatedAt).toBe('2025-01-01T00:00:00.000Z');

    const removed = await world.services.faqs.deleteItem(key, faq.id, itemId, changed.etag);
    expect(removed.items.map((i) => i.id)).toEqual([faq.items[0]?.id]);
    await expect(world.services.faqs.deleteItem(key, faq.id, itemId, undefined)).rejects.toMatchObject({ code: 'NotFound', message: 'FAQ item not found.' });
  });

  it('when If-Match names an older version, every change fails with 412 and nothing is written', async () => {
    const { world, key } = await seeded();
    const faq = await world.services.faqs.create(key, { name: 'Support', faqs: pairs(1) });
    const renamed = await world.services.faqs.update(key, faq.id, { name: 'Help' }, faq.etag);
    const itemId = faq.items[0]?.id ?? '';
    for (const change of [
      () => world.services.faqs.update(key, faq.id, { name: 'Stale' }, faq.etag),
      () => world.services.faqs.addItem(key, faq.id, { question: 'q', answer: 'a' }, faq.etag),
      () => world.services.faqs.updateItem(key, faq.id, itemId, { answer: 'x' }, faq.etag),
      () => world.services.faqs.deleteItem(key, faq.id, itemId, faq.etag),
      () => world.services.faqs.delete(key, faq.id, faq.etag),
    ]) {
      await expect(change()).rejects.toBeInstanceOf(PreconditionFailedError);
    }
    expect(await world.services.faqs.get(key, faq.id)).toEqual(renamed);
  });

  it('when PATCH replaces the pairs, a pair given with an existing id keeps it; an unknown id is refused', async () => {
    const { world, key } = await seeded();
    const faq = await world.services.faqs.create(key, { name: 'Support', faqs: pairs(3) });
    const [first, , third] = faq.items;
    const replaced = await world.services.faqs.update(
      key,
      faq.id,
      { faqs: [{ id: third?.id, question: third?.question ?? '', answer: 'Changed.' }, { question: 'Brand new?', answer: 'Yes.' }] },
      undefined,
    );
    expect(replaced.items).toHaveLength(2);
    expect(replaced.items[0]).toMatchObject({ id: third?.id, answer: 'Changed.' });
    expect(replaced.items[1]?.id).not.toBe(first?.id);
    const error = await world.services.faqs
      .update(key, faq.id, { faqs: [{ id: 'qa_unknown', question: 'q', answer: 'a' }] }, undefined)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([{ path: 'faqs.0.id', message: 'is not a pair of this collection' }]);
  });

  it('when a change changes nothing, it is not written', async () => {
    const { world, key } = await seeded();
    const faq = await world.services.faqs.create(key, { name: 'Support', faqs: pairs(1) });
    const same = await world.services.faqs.update(key, faq.id, { name: 'Support' }, faq.etag);
    expect(same.etag).toBe(faq.etag);
  });

  it('when another writer wins the race, the change is retried from a fresh read and keeps both changes', async () => {
    const { world, key } = await seeded();
    const faq = await world.services.faqs.create(key, { name: 'Support', faqs: pairs(1) });
    world.faqs.beforeNextReplace = () => {
      const row = world.faqs.table.rows.get(`${faq.projectId}|${faq.id}`);
      if (row) world.faqs.table.replace(`${faq.projectId}|${faq.id}`, { ...row, name: 'Renamed elsewhere' });
    };
    const { collection } = await world.services.faqs.addItem(key, faq.id, { question: 'Concurrent?', answer: 'Yes.' }, undefined);
    expect(collection.name).toBe('Renamed elsewhere');
    expect(collection.items).toHaveLength(2);
  });
});

describe('FAQ question embeddings', () => {
  it('when an embedding deployment is configured, new and changed questions are embedded, unchanged ones are not', async () => {
    const embeddings = new HashingEmbeddingClient();
    const { world, key } = await seeded({ embeddings });
    const faq = await world.services.faqs.create(key, { name: 'Support', faqs: pairs(2) });
    expect(embeddings.embedded).toEqual(['Question 0?', 'Question 1?']);
    expect(faq.items.every((i) => i.questionEmbedding?.model === 'hashing-embeddings' && i.questionEmbedding.vector.length === 64)).toBe(true);

    embeddings.embedded.length = 0;
    const itemId = faq.items[0]?.id ?? '';
    await world.services.faqs.updateItem(key, faq.id, itemId, { answer: 'Only the answer.' }, undefined);
    expect(embeddings.embedded).toEqual([]);
    await world.services.faqs.updateItem(key, faq.id, itemId, { question: 'A new question?' }, undefined);
    expect(embeddings.embedded).toEqual(['A new question?']);
  });

  it('when embedding fails, the write fails with EmbeddingServiceUnavailable and nothing is saved', async () => {
    const embeddings = new HashingEmbeddingClient();
    const { world, key } = await seeded({ embeddings });
    const faq = await world.services.faqs.create(key, { name: 'Support', faqs: pairs(1) });
    embeddings.failWith = new EmbeddingFailedError(true, 429, 5);
    await expect(world.services.faqs.addItem(key, faq.id, { question: 'q?', answer: 'a' }, undefined)).rejects.toMatchObject({
      code: 'EmbeddingServiceUnavailable',
    });
    expect((await world.services.faqs.get(key, faq.id)).items).toHaveLength(1);
  });
});

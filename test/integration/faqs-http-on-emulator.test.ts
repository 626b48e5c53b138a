import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Runtime } from '../../shared/runtime.js';
import { startFakeAzureOpenAI, type FakeAzureOpenAI } from '../fakes/azure-openai.js';
import { call, createOtherProjectKey, type Json } from './helpers/http-harness.js';
import { bootstrappedRuntime, releaseRuntime } from './helpers/test-runtime.js';

vi.mock('@azure/functions', async (importOriginal) =>
  (await import('./helpers/function-registrations.js')).capturingFunctionsModule(await importOriginal()),
);

const DEV_TOKEN = 'dev-admin-token-faqs-0123456789abcdef';
const BOOTSTRAP_SECRET = 'bootstrap-secret-faqs-0123456789abcdef';
const EMBEDDING_DEPLOYMENT = 'text-embedding-3-small';

let runtime: Runtime;
let fake: FakeAzureOpenAI;
let otherProjectKey: string;
let projectId: string;

const asAdmin = { authorization: `Bearer ${DEV_TOKEN}` };
const key = (secret = BOOTSTRAP_SECRET) => ({ 'x-api-key': secret });
const pairs = (count: number) => Array.from({ length: count }, (_, i) => ({ question: `Question number ${i}?`, answer: `Answer ${i}.` }));

beforeAll(async () => {
  fake = await startFakeAzureOpenAI();
  const started = await bootstrappedRuntime('faqs-http', {
    apiKeySecret: BOOTSTRAP_SECRET,
    settings: {
      COMPANION_DEV_ADMIN_TOKEN: DEV_TOKEN,
      COMPANION_ALLOW_PRIVATE_URLS: '1',
      AZURE_OPENAI_ENDPOINT: fake.endpoint,
      AZURE_OPENAI_API_KEY: fake.apiKey,
      AZURE_OPENAI_EMBEDDING_DEPLOYMENT: EMBEDDING_DEPLOYMENT,
      AZURE_OPENAI_EMBEDDING_DIMENSIONS: String(fake.embeddingDimensions),
    },
  });
  runtime = started.runtime;
  projectId = started.bootstrap.project.id;
  await import('../../functions/index.js');

  otherProjectKey = await createOtherProjectKey(asAdmin);
});

beforeEach(() => fake.reset());

afterAll(async () => {
  await releaseRuntime(runtime);
  await fake?.close();
});

describe('FAQ collections through the real function handlers on the emulators', () => {
  it('creates, lists, reads, renames with If-Match and deletes a collection', async () => {
    const created = await call('public-faq-create', { headers: key(), body: { name: 'Billing', faqs: pairs(2) } });
    expect(created.status).toBe(201);
    const id = created.json!.id as string;
    expect(id).toMatch(/^faq_/);
    expect(created.headers.get('location')).toBe(`/public/faqs/${id}`);
    expect(created.json).toEqual({
      id,
      name: 'Billing',
      created: expect.any(String),
      updated: expect.any(String),
      etag: created.headers.get('etag'),
      items: [
        { id: expect.stringMatching(/^qa_/), question: 'Question number 0?', answer: 'Answer 0.', createdAt: expect.any(String), updatedAt: expect.any(String) },
        { id: expect.stringMatching(/^qa_/), question: 'Question number 1?', answer: 'Answer 1.', createdAt: expect.any(String), updatedAt: expect.any(String) },
      ],
    });
    // The questions were embedded once, in one batch, by the platform's embedding deployment.
    expect(fake.requests().map((r) => [r.deployment, (r.body['input'] as string[]).length])).toEqual([[EMBEDDING_DEPLOYMENT, 2]]);

    const second = await call('public-faq-create', { headers: key(), body: { name: 'Empty' } });
    expect(second.json!.items).toEqual([]);
    const page = await call('public-faqs-list', { headers: key(), query: 'pageSize=1' });
    expect(page.json).toMatchObject({ pageIndex: 0, pageSize: 1 });
    expect(page.json!.totalCount).toBeGreaterThanOrEqual(2);
    expect(page.json!.items.map((c: Json) => c.id)).toEqual([second.json!.id]);
    const next = await call('public-faqs-list', { headers: key(), query: 'pageIndex=1&pageSize=1' });
    expect(next.json!.items.map((c: Json) => c.id)).toEqual([id]);

    const stale = created.headers.get('etag')!;
    const renamed = await call('public-faq-update', { headers: { ...key(), 'if-match': stale }, params: { id }, body: { name: 'Payments' } });
    expect(renamed.status).toBe(200);
    expect(renamed.json!.name).toBe('Payments');
    const conflict = await call('public-faq-update', { headers: { ...key(), 'if-match': stale }, params: { id }, body: { name: 'Stale' } });
    expect(conflict.status).toBe(412);
    expect(conflict.json).toMatchObject({ code: 'PreconditionFailed' });

    const got = await call('public-faq-get', { headers: key(), params: { id } });
    expect(got.json).toMatchObject({ name: 'Payments', etag: renamed.headers.get('etag') });
    const deleted = await call('public-faq-delete', { headers: { ...key(), 'if-match': renamed.headers.get('etag')! }, params: { id } });
    expect(deleted.status).toBe(204);
    expect((await call('public-faq-get', { headers: key(), params: { id } })).status).toBe(404);
  });

  it('adds, changes and removes single pairs; the 51st pair is refused with FaqLimitExceeded', async () => {
    const created = await call('public-faq-create', { headers: key(), body: { name: 'Full', faqs: pairs(49) } });
    const id = created.json!.id as string;
    const added = await call('public-faq-item-create', {
      headers: { ...key(), 'if-match': created.headers.get('etag')! },
      params: { id },
      body: { question: 'What is the fiftieth question?', answer: 'This one.' },
    });
    expect(added.status).toBe(201);
    const itemId = (added.json!.items as Json[]).at(-1)!.id as string;
    expect(added.headers.get('location')).toBe(`/public/faqs/${id}/items/${itemId}`);
    expect(added.json!.items).toHaveLength(50);

    const fiftyFirst = await call('public-faq-item-create', { headers: key(), params: { id }, body: { question: 'One more?', answer: 'No.' } });
    expect(fiftyFirst.status).toBe(400);
    expect(fiftyFirst.json).toMatchObject({ code: 'FaqLimitExceeded', status: 400 });
    const tooManyAtOnce = await call('public-faq-create', { headers: key(), body: { name: 'Too many', faqs: pairs(51) } });
    expect(tooManyAtOnce.json).toMatchObject({ code: 'FaqLimitExceeded' });
    const replaceTooMany = await call('public-faq-update', { headers: key(), params: { id }, body: { faqs: pairs(51) } });
    expect(replaceTooMany.json).toMatchObject({ code: 'FaqLimitExceeded' });

    const changed = await call('public-faq-item-update', {
      headers: { ...key(), 'if-match': added.headers.get('etag')! },
      params: { id, itemId },
      body: { answer: 'Still this one.' },
    });
    expect(changed.status).toBe(200);
    expect((changed.json!.items as Json[]).at(-1)).toMatchObject({ id: itemId, answer: 'Still this one.' });
    const unknownField = await call('public-faq-item-update', { headers: key(), params: { id, itemId }, body: { answer: 'x', extra: 1 } });
    expect(unknownField.json).toMatchObject({ code: 'ValidationFailed' });

    const removed = await call('public-faq-item-delete', { headers: { ...key(), 'if-match': changed.headers.get('etag')! }, params: { id, itemId } });
    expect(removed.status).toBe(204);
    expect(removed.headers.get('etag')).not.toBe(changed.headers.get('etag'));
    const after = await call('public-faq-get', { headers: key(), params: { id } });
    expect(after.json!.items).toHaveLength(49);
    expect(after.headers.get('etag')).toBe(removed.headers.get('etag'));
    expect((await call('public-faq-item-delete', { headers: key(), params: { id, itemId } })).status).toBe(404);
  });

  it("keeps another project's collections unreachable: 404 for every route, absent from its lists", async () => {
    const created = await call('public-faq-create', { headers: key(), body: { name: 'Private', faqs: pairs(1) } });
    const id = created.json!.id as string;
    const itemId = created.json!.items[0].id as string;
    const other = key(otherProjectKey);
    expect((await call('public-faq-get', { headers: other, params: { id } })).status).toBe(404);
    expect((await call('public-faq-update', { headers: other, params: { id }, body: { name: 'Mine now' } })).status).toBe(404);
    expect((await call('public-faq-delete', { headers: other, params: { id } })).status).toBe(404);
    expect((await call('public-faq-item-create', { headers: other, params: { id }, body: { question: 'q', answer: 'a' } })).status).toBe(404);
    expect((await call('public-faq-item-update', { headers: other, params: { id, itemId }, body: { answer: 'x' } })).status).toBe(404);
    expect((await call('public-faq-item-delete', { headers: other, params: { id, itemId } })).status).toBe(404);
    const list = await call('public-faqs-list', { headers: other });
    expect(list.json!.items.map((c: Json) => c.id)).not.toContain(id);
    expect((await call('public-faq-get', { headers: key(), params: { id } })).json!.name).toBe('Private');
  });

  it('matches questions against the stored collections: semantically with the stored embeddings, lexically otherwise', async () => {
    const created = await call('public-faq-create', {
      headers: key(),
      body: {
        name: 'Support',
        faqs: [
          { question: 'How do I reset my password?', answer: 'Open Settings, choose Security and press Reset password.' },
          { question: 'What are your opening hours?', answer: 'We are open Monday to Friday, 9 to 5.' },
        ],
      },
    });
    const id = created.json!.id as string;
    fake.reset();
    const semantic = await runtime.services.faqMatcher.matchFaq(projectId, [id], 'how do i reset my password');
    expect(semantic).toMatchObject({ collectionId: id, method: 'semantic', item: { question: 'How do I reset my password?' } });
    expect(semantic!.score).toBeGreaterThan(0.99);
    expect(fake.requests()).toHaveLength(1);

    fake.failNext(5, { status: 500 });
    const lexical = await runtime.services.faqMatcher.matchFaq(projectId, [id], 'When are you open?');
    expect(lexical).toMatchObject({ method: 'lexical', item: { question: 'What are your opening hours?' } });
  });
});

import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CountedContainer } from '../../../shared/adapters/cosmos/counted-container.js';
import { CosmosKnowledgeChunkPageRepository } from '../../../shared/adapters/cosmos/knowledge-chunk-page-repository.js';
import type { ApiKeyPrincipal } from '../../../shared/domain/api-key-principal.js';
import { KNOWLEDGE_CONTAINER, knowledgeSourcePath } from '../../../shared/domain/knowledge/knowledge-paths.js';
import type { Runtime } from '../../../shared/runtime.js';
import { startFakeAzureOpenAI, type FakeAzureOpenAI } from '../../fakes/azure-openai.js';
import { makePdf } from '../../support/document-fixtures.js';
import { emulatorRuntime } from '../helpers/test-runtime.js';

/**
 * The ingest and the search with the platform's Azure OpenAI deployments configured (the local fake, driven by the real
 * `openai` client): chunks are embedded and stored with their vectors, the query is embedded, the chat deployment
 * writes the summary, and a refusal of the embedding deployment fails the file with EmbeddingFailed.
 */

const API_KEY = 'knowledge-openai-bootstrap-key-0123456789';

let fake: FakeAzureOpenAI;
let runtime: Runtime;
let principal: ApiKeyPrincipal;
const blobs = BlobServiceClient.fromConnectionString(inject('storageConnectionString')).getContainerClient(KNOWLEDGE_CONTAINER);

/** What the blob trigger would deliver for the file's landing blob: its bytes and their ETag. */
async function ingestLanded(baseId: string, fileId: string) {
  const blob = blobs.getBlobClient(knowledgeSourcePath(principal.projectId, baseId, fileId));
  const bytes = await blob.downloadToBuffer();
  const { etag } = await blob.getProperties();
  return runtime.services.knowledgeIngest.ingest({ projectId: principal.projectId, baseId, fileId, bytes, etag: etag! });
}

/** The file's chunks as the embedded index stores them, read back through its store. */
async function storedChunks(baseId: string, fileId: string) {
  const pages = new CosmosKnowledgeChunkPageRepository(new CountedContainer(runtime.cosmosDatabase.container('knowledge-chunks')));
  return (await pages.loadBase(baseId)).filter((chunk) => chunk.fileId === fileId);
}

beforeAll(async () => {
  fake = await startFakeAzureOpenAI();
  runtime = await emulatorRuntime('knowledge-openai', {
    COMPANION_ALLOW_PRIVATE_URLS: '1',
    AZURE_OPENAI_ENDPOINT: fake.endpoint,
    AZURE_OPENAI_API_KEY: fake.apiKey,
    AZURE_OPENAI_CHAT_DEPLOYMENT: 'gpt-4o',
    AZURE_OPENAI_EMBEDDING_DEPLOYMENT: 'text-embedding-3-small',
    AZURE_OPENAI_EMBEDDING_DIMENSIONS: String(fake.embeddingDimensions),
  });
  await runtime.services.bootstrap.ensureLocalBootstrap({ apiKeySecret: API_KEY });
  principal = await runtime.services.apiKeys.authenticate(API_KEY);
});

afterAll(async () => {
  await runtime?.dispose();
  await fake?.close();
});

describe('knowledge ingest with the platform Azure OpenAI deployments', () => {
  it('embeds every chunk and the query, and keeps the chat deployment’s summary', async () => {
    const base = await runtime.services.knowledgeBases.create(principal, { name: 'Manuals', provider: 'azureOpenAI' });
    const pdf = await makePdf({
      pages: [
        { heading: 'Setup', paragraphs: ['Connect the router to the modem with the yellow cable and wait for the green light.'] },
        { heading: 'Reset', paragraphs: ['Hold the reset button for ten seconds to restore the factory settings of the router.'] },
      ],
    });
    const file = await runtime.services.knowledgeIntake.addSentFile(principal, base.id, { fileName: 'router.pdf', contentType: 'application/pdf', bytes: pdf });
    fake.reset();
    fake.script({ content: 'How to set up and reset the router.' });

    await expect(ingestLanded(base.id, file.id)).resolves.toBe('ready');
    const ready = await runtime.services.knowledgeFiles.get(principal, base.id, file.id);
    expect(ready).toMatchObject({ status: 'ready', pageCount: 2, summary: 'How to set up and reset the router.', summarySource: 'generated' });
    const chunks = await storedChunks(base.id, file.id);
    expect(chunks).toHaveLength(ready.chunkCount);
    expect(chunks.every((c) => c.embedding?.length === fake.embeddingDimensions)).toBe(true);
    const requests = fake.requests();
    expect(requests.filter((r) => r.operation === 'embeddings').every((r) => r.deployment === 'text-embedding-3-small' && r.auth === 'api-key')).toBe(true);
    const summaryRequest = requests.find((r) => r.operation === 'chat/completions');
    expect(JSON.stringify(summaryRequest?.body)).toContain('factory settings');

    fake.reset();
    const { results } = await runtime.services.knowledgeSearch.search(principal, base.id, { query: 'how do I restore factory settings', top: 2 });
    expect(results[0]).toMatchObject({ fileId: file.id, fileName: 'router.pdf', page: 2 });
    expect(fake.requests().filter((r) => r.operation === 'embeddings')).toHaveLength(1);
  });

  it('when the embedding deployment refuses the chunks, the file fails with EmbeddingFailed; when the chat deployment answers nothing, the summary is extractive', async () => {
    const base = await runtime.services.knowledgeBases.create(principal, { name: 'Refusals', provider: 'azureOpenAI' });
    const bytes = Buffer.from('Returns are accepted within thirty days when the box is unopened and the receipt is kept.');
    const refused = await runtime.services.knowledgeIntake.addSentFile(principal, base.id, { fileName: 'returns.txt', contentType: 'text/plain', bytes });
    fake.reset();
    // The summary and the embeddings are requested side by side: both meet the refusal.
    fake.failNext(2, { status: 400, code: 'invalid_request_error' });
    await expect(ingestLanded(base.id, refused.id)).resolves.toBe('failed');
    expect(await runtime.services.knowledgeFiles.get(principal, base.id, refused.id)).toMatchObject({ status: 'failed', failureReason: 'EmbeddingFailed', chunkCount: 0 });
    expect(await storedChunks(base.id, refused.id)).toEqual([]);

    const extractive = await runtime.services.knowledgeIntake.addSentFile(principal, base.id, { fileName: 'returns-2.txt', contentType: 'text/plain', bytes });
    fake.reset();
    // The chat deployment answers nothing usable.
    fake.script({ content: '' });
    await expect(ingestLanded(base.id, extractive.id)).resolves.toBe('ready');
    expect((await runtime.services.knowledgeFiles.get(principal, base.id, extractive.id)).summary).toBe(bytes.toString());
  });
});

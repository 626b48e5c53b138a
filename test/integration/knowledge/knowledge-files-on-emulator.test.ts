import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionsCore, installFunctionsCore } from '../../../local/functions-core/index.js';
import type { LocalHost } from '../../../local/host/index.js';
import { invokeRegistration } from '../../../local/host/invoke.js';
import { jsonData, stringData, triggerBindingOf } from '../../../local/host/rpc-data.js';
import { BLOB_TRIGGER_POISON_QUEUE, KNOWLEDGE_FILE_FETCH_QUEUE, poisonQueueOf } from '../../../shared/adapters/queues.js';
import type { ApiKeyPrincipal } from '../../../shared/domain/api-key-principal.js';
import { KNOWLEDGE_CONTAINER, knowledgeSourcePath } from '../../../shared/domain/knowledge/knowledge-paths.js';
import { createRuntime, setRuntime, type Runtime } from '../../../shared/runtime.js';
import { delay, waitFor } from '../../fixtures/host-app/wait-for.js';
import { SAMPLE_MARKDOWN, makeDocx, makeExecutable, makePdf, overLimitFile } from '../../support/document-fixtures.js';
import type { Json } from '../helpers/http-harness.js';
import { hostCaller, listBlobNames, sendBase64 as sendBase64To, startLoopbackServer, startOwnAzurite, startTestHost, type LoopbackServer, type OwnAzurite } from '../helpers/local-host-harness.js';
import { emulatorConfig, silentLogger } from '../helpers/test-runtime.js';

/**
 * Knowledge files end to end on their own Azurite and the shared Cosmos server: the local host serves the knowledge
 * routes, the fetch queue and the blob-triggered ingest, with real documents made in the test and the real extractor,
 * chunker and embedded index (no Azure OpenAI: lexical retrieval and extractive summaries, the local default).
 */

const API_KEY = 'knowledge-files-bootstrap-key-0123456789';
const DEV_TOKEN = 'knowledge-files-dev-admin-token-0123456789';

let azurite: OwnAzurite;
let runtime: Runtime;
let host: LocalHost;
let fileServer: LoopbackServer;
let fileBase: string;
let principal: ApiKeyPrincipal;
let otherKey: string;
let container: ContainerClient;
let queues: QueueServiceClient;

/** What the loopback file server answers, by path. */
const served = new Map<string, { status?: number; body?: Uint8Array; contentType?: string; disposition?: string }>();

const call = hostCaller(() => host.url, API_KEY);

async function sendFile(baseId: string, fileName: string, bytes: Uint8Array, contentType = 'application/octet-stream') {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: contentType }), fileName);
  const response = await fetch(`${host.url}/public/knowledge-bases/${baseId}/files`, { method: 'POST', headers: { 'x-api-key': API_KEY }, body: form });
  const text = await response.text();
  return { status: response.status, json: (text === '' ? {} : JSON.parse(text)) as Json };
}

async function createBase(name: string): Promise<string> {
  const created = await call('POST', 'public/knowledge-bases', { name });
  expect(created.status).toBe(201);
  return created.json.id as string;
}

const settled = (f: Json) => f.status === 'ready' || f.status === 'failed';

async function until(baseId: string, fileId: string, what: string, done: (f: Json) => boolean = settled, timeoutMs = 30_000): Promise<Json> {
  return waitFor(async () => {
    const { status, json } = await call('GET', `public/knowledge-bases/${baseId}/files/${fileId}`);
    return status === 200 && done(json) ? json : undefined;
  }, what, timeoutMs, 100);
}

/** Chunks stored for the file: the embedded index keeps them in pages of many, the Cosmos vector index one a document. */
async function chunkCountOf(fileId: string): Promise<number> {
  const { resources } = await runtime.cosmosDatabase
    .container('knowledge-chunks')
    .items.query<{ chunks?: unknown[] }>({ query: 'SELECT c.chunks FROM c WHERE c.fileId = @fileId', parameters: [{ name: '@fileId', value: fileId }] })
    .fetchAll();
  return resources.reduce((sum, document) => sum + (Array.isArray(document.chunks) ? document.chunks.length : 1), 0);
}

const blobNames = (prefix: string) => listBlobNames(container, prefix);
const sendBase64 = (queueName: string, message: unknown) => sendBase64To(queues, queueName, message);

const WARRANTY = 'The warranty covers water damage for twenty four months when the seal is intact.';

beforeAll(async () => {
  fileServer = await startLoopbackServer(served);
  fileBase = fileServer.base;

  azurite = await startOwnAzurite('knowledge-azurite-');
  const storage = { AzureWebJobsStorage: azurite.connectionString };
  runtime = await createRuntime(emulatorConfig('knowledge-files', { ...storage, COMPANION_ALLOW_PRIVATE_URLS: '1', COMPANION_DEV_ADMIN_TOKEN: DEV_TOKEN }), {
    logger: silentLogger,
  });
  await runtime.ensureContainers();
  const { org } = await runtime.services.bootstrap.ensureLocalBootstrap({ apiKeySecret: API_KEY });
  principal = await runtime.services.apiKeys.authenticate(API_KEY);
  const admin = await runtime.services.manageAuthentication.authenticate(DEV_TOKEN);
  const other = await runtime.services.projects.create(admin, org.id, { name: 'Other project' });
  otherKey = (await runtime.services.apiKeys.create(admin, other.id, { name: 'Other key', llm: { hosting: 'hosted' } })).secret;
  setRuntime(runtime);

  installFunctionsCore();
  await import('../../../functions/setup.js');
  await import('../../../functions/knowledge-bases.js');
  await import('../../../functions/knowledge-files.js');
  await import('../../../functions/knowledge-file-uploads.js');
  await import('../../../functions/knowledge-file-fetch.js');
  await import('../../../functions/knowledge-file-ingest.js');
  await import('../../../functions/knowledge-search.js');
  await import('../../../functions/blob-trigger-poison.js');
  host = await startTestHost(azurite.connectionString, 'knowledge-files-test');
  container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(KNOWLEDGE_CONTAINER);
  queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
}, 120_000);

afterAll(async () => {
  await host?.stop();
  setRuntime(undefined);
  await runtime?.dispose();
  await fileServer?.close();
  await azurite?.stop();
}, 60_000);

describe('knowledge bases and files through the local host, the queue and the blob-triggered ingest', () => {
  it('creates, lists and reads a base; another project gets 404 for the base, its files and its search', async () => {
    const created = await call('POST', 'public/knowledge-bases', { name: 'Product manuals' });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect(id).toMatch(/^kb_/);
    expect(created.headers.get('location')).toBe(`/public/knowledge-bases/${id}`);
    expect(created.json).toMatchObject({ name: 'Product manuals', provider: 'azureOpenAI', fileCount: 0 });
    expect(created.headers.get('etag')).toBe(created.json.etag);
    const listed = await call('GET', 'public/knowledge-bases?pageSize=100');
    expect(listed.json.items.map((b: Json) => b.id)).toContain(id);
    expect((await call('GET', `public/knowledge-bases/${id}`)).json.name).toBe('Product manuals');

    for (const [method, route, body] of [
      ['GET', `public/knowledge-bases/${id}`, undefined],
      ['GET', `public/knowledge-bases/${id}/files`, undefined],
      ['POST', `public/knowledge-bases/${id}/search`, { query: 'anything' }],
      ['POST', `public/knowledge-bases/${id}/files/uploads`, { fileName: 'a.txt', contentType: 'text/plain', size: 10 }],
      ['DELETE', `public/knowledge-bases/${id}`, undefined],
    ] as const) {
      expect(await call(method, route, body, otherKey), `${method} ${route}`).toMatchObject({ status: 404, json: { code: 'NotFound' } });
    }
    expect((await call('GET', 'public/knowledge-bases', undefined, otherKey)).json.items).toEqual([]);
    expect(await call('POST', 'public/knowledge-bases', { name: 'x', provider: 'openai' })).toMatchObject({ status: 400, json: { code: 'ValidationFailed' } });
  });

  it('a multi-page PDF sent as multipart becomes ready with its pages, chunks and a summary, and search finds the passage with its page', async () => {
    const baseId = await createBase('PDF manuals');
    const pdf = await makePdf({
      title: 'Kettle manual',
      pages: [
        { heading: 'Getting started', paragraphs: ['Fill the kettle with fresh water up to the maximum mark before switching it on.', 'Place the kettle on its base and press the switch.'] },
        { heading: 'Cleaning', paragraphs: ['Descale the kettle every month with a mixture of water and white vinegar.'] },
        { heading: 'Warranty', paragraphs: [WARRANTY, 'Keep the receipt as proof of purchase.'] },
      ],
    });
    const sent = await sendFile(baseId, 'kettle manual.pdf', pdf, 'application/pdf');
    expect(sent.status).toBe(201);
    expect(sent.json).toMatchObject({ status: 'uploading', originalName: 'kettle manual.pdf', size: pdf.byteLength, chunkCount: 0 });
    const fileId = sent.json.id as string;

    const ready = await until(baseId, fileId, 'the PDF to be ingested');
    expect(ready).toMatchObject({ status: 'ready', type: 'pdf', contentType: 'application/pdf', pageCount: 3, failureReason: null, summarySource: 'generated' });
    expect(ready.chunkCount).toBeGreaterThanOrEqual(3);
    expect(await chunkCountOf(fileId)).toBe(ready.chunkCount);
    expect(ready.summary.length).toBeGreaterThan(30);
    expect(ready.summary.length).toBeLessThanOrEqual(450);

    const search = await call('POST', `public/knowledge-bases/${baseId}/search`, { query: 'does the warranty cover water damage?', top: 3 });
    expect(search.status).toBe(200);
    expect(search.json.results[0]).toMatchObject({ fileId, fileName: 'kettle manual.pdf', page: 3 });
    expect(search.json.results[0].text).toContain('water damage');
    expect(search.json.results.length).toBeLessThanOrEqual(3);
    expect(await call('POST', `public/knowledge-bases/${baseId}/search`, { query: 'x', top: 21 })).toMatchObject({ status: 400, json: { code: 'ValidationFailed' } });

    const listed = await call('GET', `public/knowledge-bases/${baseId}/files`);
    expect(listed.json).toMatchObject({ totalCount: 1, items: [{ id: fileId, status: 'ready' }] });
    expect((await call('GET', `public/knowledge-bases/${baseId}`)).json.fileCount).toBe(1);
  });

  it('a file added by URL is fetched through the guarded fetcher and ingested; private addresses are refused with UrlNotAllowed, a 404 fails the file', async () => {
    const baseId = await createBase('Web pages');
    served.set('/docs/setup', { body: Buffer.from(SAMPLE_MARKDOWN), contentType: 'text/markdown', disposition: 'attachment; filename="setup-guide.md"' });
    const added = await call('POST', `public/knowledge-bases/${baseId}/files`, { url: `${fileBase}/docs/setup` });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ status: 'uploading', originalName: 'setup' });
    const ready = await until(baseId, added.json.id as string, 'the fetched markdown to be ingested');
    expect(ready).toMatchObject({ status: 'ready', type: 'md', originalName: 'setup-guide.md' });
    const search = await call('POST', `public/knowledge-bases/${baseId}/search`, { query: 'npm install sdk' });
    expect(search.json.results[0]).toMatchObject({ fileId: added.json.id, section: expect.stringContaining('Installing') });

    for (const url of ['https://10.1.2.3/guide.pdf', 'https://169.254.169.254/latest/meta-data', 'https://[::ffff:192.168.0.1]/a.pdf']) {
      expect(await call('POST', `public/knowledge-bases/${baseId}/files`, { url }), url).toMatchObject({ status: 400, json: { code: 'UrlNotAllowed' } });
    }
    expect(await call('POST', `public/knowledge-bases/${baseId}/files`, { url: 'ftp://example.com/a.pdf' })).toMatchObject({ status: 400, json: { code: 'ValidationFailed' } });
    const missing = await call('POST', `public/knowledge-bases/${baseId}/files`, { url: `${fileBase}/nothing-here.pdf` });
    const failed = await until(baseId, missing.json.id as string, 'the 404 to fail the file');
    expect(failed).toMatchObject({ status: 'failed', failureReason: 'UrlUnreachable', chunkCount: 0 });
    expect((await call('GET', `public/knowledge-bases/${baseId}`)).json.fileCount).toBe(2);
  });

  it('an upload URL takes one PUT of the file, which is ingested; a new version re-ingests it cleanly and a summary override survives', async () => {
    const baseId = await createBase('Handbooks');
    const docx = await makeDocx();
    const ticket = await call('POST', `public/knowledge-bases/${baseId}/files/uploads`, {
      fileName: 'handbook.docx',
      contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      size: docx.byteLength,
    });
    expect(ticket.status).toBe(201);
    const fileId = ticket.json.file.id as string;
    expect(ticket.json).toMatchObject({ method: 'PUT', file: { status: 'uploading', originalName: 'handbook.docx' } });
    const uploadUrl = new URL(ticket.json.uploadUrl as string);
    expect(uploadUrl.pathname).toMatch(new RegExp(`/${KNOWLEDGE_CONTAINER}/${principal.projectId}/${baseId}/${fileId}/source$`));
    expect(uploadUrl.searchParams.get('sp')).toBe('cw');
    const lifetime = Date.parse(ticket.json.expiresAt as string) - Date.now();
    expect(lifetime).toBeGreaterThan(14 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(15 * 60_000);

    const put = await fetch(uploadUrl, { method: 'PUT', headers: ticket.json.headers as Record<string, string>, body: docx });
    expect(put.status).toBe(201);
    expect((await fetch(uploadUrl)).status).toBe(403);
    const ready = await until(baseId, fileId, 'the uploaded docx to be ingested');
    expect(ready).toMatchObject({ status: 'ready', type: 'docx' });
    const leave = await call('POST', `public/knowledge-bases/${baseId}/search`, { query: 'how many days of paid leave', top: 1 });
    expect(leave.json.results[0]).toMatchObject({ fileId, section: expect.stringContaining('Leave') });

    const override = await call('PATCH', `public/knowledge-bases/${baseId}/files/${fileId}/summary`, { summary: 'Leave, expenses and travel rules.' });
    expect(override).toMatchObject({ status: 200, json: { summary: 'Leave, expenses and travel rules.', summarySource: 'override' } });
    const stale = await fetch(`${host.url}/public/knowledge-bases/${baseId}/files/${fileId}/summary`, {
      method: 'PATCH',
      headers: { 'x-api-key': API_KEY, 'content-type': 'application/json', 'if-match': ready.etag as string },
      body: JSON.stringify({ summary: 'Lost update' }),
    });
    expect(stale.status).toBe(412);

    const second = Buffer.from('# Parking\n\nStaff park in the north lot, level two, with the badge shown behind the windscreen.\n');
    const again = await fetch(uploadUrl, { method: 'PUT', headers: { ...(ticket.json.headers as Record<string, string>), 'content-type': 'text/markdown' }, body: second });
    expect(again.status).toBe(201);
    const reingested = await until(baseId, fileId, 'the new version to be ingested', (f) => settled(f) && f.size === second.byteLength);
    // The bytes decide the type; the name (still handbook.docx) only tells text formats apart.
    expect(reingested).toMatchObject({ status: 'ready', type: 'txt', chunkCount: 1, summary: 'Leave, expenses and travel rules.', summarySource: 'override' });
    expect(await chunkCountOf(fileId)).toBe(1);
    const parking = await call('POST', `public/knowledge-bases/${baseId}/search`, { query: 'paid leave days parking lot' });
    expect(parking.json.results.map((r: Json) => r.text).join(' ')).not.toContain('25 days');
  }, 60_000);

  it('a renamed binary fails with UnsupportedMediaType, an over-limit text file with FileTooLarge, and a body over 50 MB is refused with 413', async () => {
    const baseId = await createBase('Bad files');
    const renamed = await sendFile(baseId, 'notes.txt', makeExecutable(), 'text/plain');
    const big = await overLimitFile('txt');
    const tooLarge = await sendFile(baseId, big.fileName, big.bytes, 'text/plain');
    const [a, b] = await Promise.all([
      until(baseId, renamed.json.id as string, 'the renamed binary to fail'),
      until(baseId, tooLarge.json.id as string, 'the over-limit text to fail'),
    ]);
    expect(a).toMatchObject({ status: 'failed', failureReason: 'UnsupportedMediaType', chunkCount: 0, summary: null });
    expect(a.failureMessage).toContain('not in a supported format');
    expect(b).toMatchObject({ status: 'failed', failureReason: 'FileTooLarge', type: 'txt' });
    expect(b.failureMessage).toContain('at most 10.0 MB');

    const huge = await sendFile(baseId, 'huge.pdf', new Uint8Array(50 * 1024 * 1024 + 128 * 1024), 'application/pdf');
    expect(huge).toMatchObject({ status: 413, json: { code: 'PayloadTooLarge' } });
    const twoFiles = new FormData();
    twoFiles.append('file', new Blob(['a']), 'a.txt');
    twoFiles.append('other', new Blob(['b']), 'b.txt');
    const refused = await fetch(`${host.url}/public/knowledge-bases/${baseId}/files`, { method: 'POST', headers: { 'x-api-key': API_KEY }, body: twoFiles });
    expect(refused.status).toBe(400);
    expect((await call('GET', `public/knowledge-bases/${baseId}`)).json.fileCount).toBe(2);
  }, 60_000);

  it('the 31st file of a base is refused with 400 KnowledgeBaseFileLimitReached, also when all 31 are sent at once', async () => {
    const baseId = await createBase('Thirty');
    const results = await Promise.all(
      Array.from({ length: 31 }, (_, i) => sendFile(baseId, `note-${i}.txt`, Buffer.from(`Note number ${i} says the meeting room ${i} has a projector.`), 'text/plain')),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(30);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused).toEqual([{ status: 400, json: expect.objectContaining({ code: 'KnowledgeBaseFileLimitReached' }) }]);
    expect((await call('GET', `public/knowledge-bases/${baseId}`)).json.fileCount).toBe(30);
    const uploadRefused = await call('POST', `public/knowledge-bases/${baseId}/files/uploads`, { fileName: 'a.txt', contentType: 'text/plain', size: 10 });
    expect(uploadRefused).toMatchObject({ status: 400, json: { code: 'KnowledgeBaseFileLimitReached' } });
    const page = await call('GET', `public/knowledge-bases/${baseId}/files?pageSize=10&pageIndex=2`);
    expect(page.json).toMatchObject({ totalCount: 30, filteredCount: 30, pageIndex: 2, pageSize: 10 });
    expect(page.json.items).toHaveLength(10);
  }, 90_000);

  it('a repeated trigger for the same blob version duplicates nothing and changes nothing', async () => {
    const baseId = await createBase('Repeats');
    const body = Buffer.from(SAMPLE_MARKDOWN);
    const sent = await sendFile(baseId, 'guide.md', body, 'text/markdown');
    const fileId = sent.json.id as string;
    const ready = await until(baseId, fileId, 'the markdown to be ingested');
    const chunks = await chunkCountOf(fileId);
    const blobName = knowledgeSourcePath(principal.projectId, baseId, fileId);
    const etag = (await container.getBlobClient(blobName).getProperties()).etag!;

    const registration = functionsCore.functions.find((f) => f.metadata.name === 'knowledge-file-ingest')!;
    for (let i = 0; i < 2; i++) {
      await invokeRegistration(functionsCore, registration, {
        inputData: [{ name: triggerBindingOf(registration).name, data: { bytes: body } }],
        triggerMetadata: {
          projectId: stringData(principal.projectId),
          baseId: stringData(baseId),
          fileId: stringData(fileId),
          BlobTrigger: stringData(`${KNOWLEDGE_CONTAINER}/${blobName}`),
          Properties: jsonData({ ETag: etag }),
        },
      });
    }
    const after = await call('GET', `public/knowledge-bases/${baseId}/files/${fileId}`);
    expect(after.json.etag).toBe(ready.etag);
    expect(await chunkCountOf(fileId)).toBe(chunks);
    expect(after.json.chunkCount).toBe(chunks);
  });

  it('deleting a file removes its chunks and blobs; deleting a base removes all its files, chunks and blobs', async () => {
    const baseId = await createBase('Cascade');
    const one = await sendFile(baseId, 'one.md', Buffer.from('# One\n\nThe first file talks about invoices and billing dates.'), 'text/markdown');
    const two = await sendFile(baseId, 'two.md', Buffer.from('# Two\n\nThe second file talks about security keys and rotation.'), 'text/markdown');
    await Promise.all([until(baseId, one.json.id as string, 'file one'), until(baseId, two.json.id as string, 'file two')]);
    const prefix = `${principal.projectId}/${baseId}/`;
    expect(await blobNames(prefix)).toHaveLength(2);

    const stale = await fetch(`${host.url}/public/knowledge-bases/${baseId}/files/${one.json.id as string}`, { method: 'DELETE', headers: { 'x-api-key': API_KEY, 'if-match': '"stale"' } });
    expect(stale.status).toBe(412);
    expect((await call('DELETE', `public/knowledge-bases/${baseId}/files/${one.json.id as string}`)).status).toBe(204);
    expect((await call('GET', `public/knowledge-bases/${baseId}/files/${one.json.id as string}`)).status).toBe(404);
    expect(await chunkCountOf(one.json.id as string)).toBe(0);
    expect(await blobNames(`${prefix}${one.json.id as string}/`)).toEqual([]);
    expect((await call('GET', `public/knowledge-bases/${baseId}`)).json.fileCount).toBe(1);
    const search = await call('POST', `public/knowledge-bases/${baseId}/search`, { query: 'invoices billing security' });
    expect(search.json.results.map((r: Json) => r.fileId)).toEqual([two.json.id]);

    expect((await call('DELETE', `public/knowledge-bases/${baseId}`)).status).toBe(204);
    expect((await call('GET', `public/knowledge-bases/${baseId}`)).status).toBe(404);
    expect(await chunkCountOf(two.json.id as string)).toBe(0);
    expect(await blobNames(prefix)).toEqual([]);
    expect(await runtime.services.knowledgeFiles.list(principal, baseId, { pageIndex: 0, pageSize: 10 }).catch((e: unknown) => (e as Error).name)).toBe('NotFoundError');
    expect((await call('DELETE', `public/knowledge-bases/${baseId}`)).status).toBe(404);
  });

  it('a poisoned fetch or ingest fails its file with IngestionFailed instead of leaving it waiting', async () => {
    const baseId = await createBase('Poison');
    const ticket = await call('POST', `public/knowledge-bases/${baseId}/files/uploads`, { fileName: 'a.txt', contentType: 'text/plain', size: 10 });
    const fileId = ticket.json.file.id as string;
    await sendBase64(BLOB_TRIGGER_POISON_QUEUE, {
      Type: 'BlobTrigger',
      FunctionId: 'Host.Functions.knowledge-file-ingest',
      BlobType: 'BlockBlob',
      ContainerName: KNOWLEDGE_CONTAINER,
      BlobName: knowledgeSourcePath(principal.projectId, baseId, fileId),
      ETag: '"0x8DCAFE"',
    });
    expect(await until(baseId, fileId, 'the poisoned ingest to fail the file')).toMatchObject({ status: 'failed', failureReason: 'IngestionFailed' });

    served.delete('/slow.pdf');
    const byUrl = await call('POST', `public/knowledge-bases/${baseId}/files`, { url: `${fileBase}/slow.pdf` });
    const job = { projectId: principal.projectId, orgId: principal.orgId, baseId, fileId: byUrl.json.id as string, url: `${fileBase}/slow.pdf` };
    await sendBase64(poisonQueueOf(KNOWLEDGE_FILE_FETCH_QUEUE), job);
    const failed = await until(baseId, job.fileId, 'the poisoned fetch or its 404 to fail the file');
    expect(['IngestionFailed', 'UrlUnreachable']).toContain(failed.failureReason);
    await delay(200);
  });
});

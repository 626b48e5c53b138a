import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { functionsCore, installFunctionsCore } from '../../../local/functions-core/index.js';
import { invokeRegistration } from '../../../local/host/invoke.js';
import { jsonData, sysMetadata, triggerBindingOf } from '../../../local/host/rpc-data.js';
import type { ApiKeyPrincipal } from '../../../shared/domain/api-key-principal.js';
import type { Clock } from '../../../shared/domain/clock.js';
import { KNOWLEDGE_CONTAINER, knowledgeFilePrefix, knowledgeSourcePath } from '../../../shared/domain/knowledge/knowledge-paths.js';
import type { KnowledgeFileView } from '../../../shared/domain/knowledge/knowledge-views.js';
import { createRuntime, setRuntime, type Runtime } from '../../../shared/runtime.js';
import { SAMPLE_MARKDOWN } from '../../support/document-fixtures.js';
import { listBlobNames } from '../helpers/local-host-harness.js';
import { emulatorConfig, silentLogger } from '../helpers/test-runtime.js';

/**
 * The sweep of knowledge files whose bytes never came, on the real emulators: the timer function as registered, the
 * Cosmos repositories and the knowledge container. Time moves by a clock the services are given, not by waiting.
 */

const API_KEY = 'knowledge-expiry-bootstrap-key-0123456789';
const MINUTE = 60_000;

/** The services' clock: the real time plus however far a test has moved it. */
let offsetMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

let runtime: Runtime;
let principal: ApiKeyPrincipal;
let container: ContainerClient;

async function createBase(name: string): Promise<string> {
  return (await runtime.services.knowledgeBases.create(principal, { name, provider: 'azureOpenAI' })).id;
}

async function requestUpload(baseId: string, fileName: string) {
  return runtime.services.knowledgeIntake.requestUpload(principal, baseId, { fileName, contentType: 'text/markdown', size: SAMPLE_MARKDOWN.length });
}

/** What a client does with its ticket: one PUT of the bytes to the SAS URL. */
async function put(ticket: Awaited<ReturnType<typeof requestUpload>>, body: string = SAMPLE_MARKDOWN): Promise<void> {
  const response = await fetch(ticket.uploadUrl, { method: 'PUT', headers: ticket.headers, body });
  expect(response.status).toBe(201);
}

/** What the blob trigger does once it sees the landed version. */
async function ingestLanded(baseId: string, fileId: string) {
  const blob = container.getBlobClient(knowledgeSourcePath(principal.projectId, baseId, fileId));
  const { etag } = await blob.getProperties();
  return runtime.services.knowledgeIngest.ingest({ projectId: principal.projectId, baseId, fileId, bytes: await blob.downloadToBuffer(), etag: etag ?? '' });
}

const fileOf = (baseId: string, fileId: string): Promise<KnowledgeFileView> => runtime.services.knowledgeFiles.get(principal, baseId, fileId);
const fileCountOf = async (baseId: string): Promise<number> => (await runtime.services.knowledgeBases.get(principal, baseId)).fileCount;

/** One run of the timer function, invoked as the host invokes it. */
async function runTimer(): Promise<void> {
  const registration = functionsCore.functions.find((f) => f.metadata.name === 'knowledge-upload-expiry');
  if (registration === undefined) throw new Error('the knowledge-upload-expiry timer is not registered');
  await invokeRegistration(functionsCore, registration, {
    inputData: [{ name: triggerBindingOf(registration).name, data: jsonData({ Schedule: { AdjustForDST: true }, ScheduleStatus: null, IsPastDue: false }) }],
    triggerMetadata: { sys: sysMetadata('knowledge-upload-expiry') },
  });
}

beforeAll(async () => {
  runtime = await createRuntime(emulatorConfig('knowledge-expiry', { COMPANION_ALLOW_PRIVATE_URLS: '1' }), { logger: silentLogger, clock });
  await runtime.ensureContainers();
  await runtime.services.bootstrap.ensureLocalBootstrap({ apiKeySecret: API_KEY });
  principal = await runtime.services.apiKeys.authenticate(API_KEY);
  setRuntime(runtime);
  installFunctionsCore();
  await import('../../../functions/knowledge-upload-expiry.js');
  container = BlobServiceClient.fromConnectionString(inject('storageConnectionString')).getContainerClient(KNOWLEDGE_CONTAINER);
}, 60_000);

afterAll(async () => {
  setRuntime(undefined);
  await runtime?.dispose();
});

describe('the sweep of knowledge uploads that never came', () => {
  it('is a timer that runs every five minutes unless KNOWLEDGE_UPLOAD_EXPIRY_SCHEDULE says otherwise', () => {
    const registration = functionsCore.functions.find((f) => f.metadata.name === 'knowledge-upload-expiry');
    expect(triggerBindingOf(registration!).binding).toMatchObject({ type: 'timerTrigger', schedule: '0 */5 * * * *' });
  });

  it('fails an upload URL unused past its lifetime and grace with UploadExpired, frees its slot and its folder, and leaves fresh, landed and ready files alone; a repeat run changes nothing', async () => {
    const baseId = await createBase('Expiry');
    const abandoned = await requestUpload(baseId, 'never-sent.md');
    const landed = await requestUpload(baseId, 'landed.md');
    await put(landed);
    const ingested = await requestUpload(baseId, 'ingested.md');
    await put(ingested);
    expect(await ingestLanded(baseId, ingested.file.id)).toBe('ready');
    const readyBefore = await fileOf(baseId, ingested.file.id);

    // Past the URL's 15 minutes but inside the grace: a PUT that started just before expiry may still be landing.
    offsetMs += 20 * MINUTE;
    await runTimer();
    expect(await fileOf(baseId, abandoned.file.id)).toMatchObject({ status: 'uploading', failureReason: null });
    expect(await fileCountOf(baseId)).toBe(3);

    offsetMs += 11 * MINUTE;
    const fresh = await requestUpload(baseId, 'fresh.md');
    await runTimer();

    const expired = await fileOf(baseId, abandoned.file.id);
    expect(expired).toMatchObject({ status: 'failed', failureReason: 'UploadExpired', chunkCount: 0, summary: null });
    expect(expired.failureMessage).toContain('upload URL expired');
    expect(await fileOf(baseId, landed.file.id)).toMatchObject({ status: 'uploading', failureReason: null });
    expect(await fileOf(baseId, fresh.file.id)).toMatchObject({ status: 'uploading' });
    expect(await fileOf(baseId, ingested.file.id)).toEqual(readyBefore);
    // Four files recorded, three holding a slot: the expired one gave its slot back.
    expect(await fileCountOf(baseId)).toBe(3);
    expect(await listBlobNames(container, knowledgeFilePrefix(principal.projectId, baseId, abandoned.file.id))).toEqual([]);

    const baseBefore = await runtime.services.knowledgeBases.get(principal, baseId);
    const again = await runtime.services.knowledgeUploadExpiry.sweep();
    expect(again.expired).toBe(0);
    expect(again.error).toBe(0);
    expect(await fileOf(baseId, abandoned.file.id)).toEqual(expired);
    expect(await runtime.services.knowledgeBases.get(principal, baseId)).toEqual(baseBefore);

    // The landed file was only waiting for its trigger, which still ingests it.
    expect(await ingestLanded(baseId, landed.file.id)).toBe('ready');
    expect(await fileOf(baseId, landed.file.id)).toMatchObject({ status: 'ready', failureReason: null });
  }, 60_000);

  it('bytes that land after the file expired are not ingested: the trigger removes them and the file stays failed', async () => {
    const baseId = await createBase('Late bytes');
    const late = await requestUpload(baseId, 'late.md');
    offsetMs += 31 * MINUTE;
    await runTimer();
    const expired = await fileOf(baseId, late.file.id);
    expect(expired).toMatchObject({ status: 'failed', failureReason: 'UploadExpired' });

    // A PUT that started before the URL expired and completed after the sweep.
    await put(late);
    expect(await ingestLanded(baseId, late.file.id)).toBe('uploadExpired');
    expect(await fileOf(baseId, late.file.id)).toEqual(expired);
    expect(await listBlobNames(container, knowledgeFilePrefix(principal.projectId, baseId, late.file.id))).toEqual([]);
    expect(await fileCountOf(baseId)).toBe(0);
  }, 60_000);

  it('a full base takes a new file once one of its uploads expires', async () => {
    const baseId = await createBase('Full');
    const sent = [];
    for (let i = 0; i < 29; i++) {
      sent.push(await runtime.services.knowledgeIntake.addSentFile(principal, baseId, { fileName: `note-${i}.txt`, contentType: 'text/plain', bytes: Buffer.from(`Note ${i}.`) }));
    }
    const abandoned = await requestUpload(baseId, 'never-sent.md');
    await expect(requestUpload(baseId, 'one-too-many.md')).rejects.toMatchObject({ code: 'KnowledgeBaseFileLimitReached' });

    offsetMs += 31 * MINUTE;
    await runTimer();
    expect(await fileOf(baseId, abandoned.file.id)).toMatchObject({ status: 'failed', failureReason: 'UploadExpired' });
    // The sent files landed (no trigger runs here): they wait for their ingest and keep their slots.
    for (const file of sent) expect((await fileOf(baseId, file.id)).status).toBe('uploading');
    expect(await fileCountOf(baseId)).toBe(29);
    const taken = await requestUpload(baseId, 'now-there-is-room.md');
    expect(taken.file.status).toBe('uploading');
    expect(await fileCountOf(baseId)).toBe(30);
  }, 90_000);

  it('a file added by URL whose fetch never ran waits for the fetch window, then fails with UploadExpired', async () => {
    const baseId = await createBase('Lost fetch');
    // Queued on a queue nothing reads here: as if the message had been lost.
    const added = await runtime.services.knowledgeIntake.addFromUrl(principal, baseId, 'http://127.0.0.1:9/guide.md');
    offsetMs += 31 * MINUTE;
    await runTimer();
    expect(await fileOf(baseId, added.id)).toMatchObject({ status: 'uploading' });

    offsetMs += 45 * MINUTE;
    await runTimer();
    const expired = await fileOf(baseId, added.id);
    expect(expired).toMatchObject({ status: 'failed', failureReason: 'UploadExpired' });
    expect(expired.failureMessage).toContain('never fetched');
    expect(await fileCountOf(baseId)).toBe(0);
  }, 60_000);
});

import { BlobServiceClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import { InvocationContext, type Timer, type TimerFunctionOptions } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { PROJECT_DELETIONS_QUEUE } from '../../shared/adapters/queues.js';
import { KNOWLEDGE_CONTAINER } from '../../shared/domain/knowledge/knowledge-paths.js';
import { STOCK_COMPANIONS } from '../../shared/domain/stock-companions.js';
import type { Runtime } from '../../shared/runtime.js';
import { ManualClock } from '../unit/fakes/test-services.js';
import { registrations } from './helpers/function-registrations.js';
import { call, invokeHttp, userTokenVerifier, type Json } from './helpers/http-harness.js';
import { bootstrappedRuntime, releaseRuntime } from './helpers/test-runtime.js';

const timers = vi.hoisted(() => new Map<string, TimerFunctionOptions>());

vi.mock('@azure/functions', async (importOriginal) => {
  const captured = (await import('./helpers/function-registrations.js')).capturingFunctionsModule(await importOriginal());
  return { ...captured, app: { ...captured.app, timer: (name: string, options: TimerFunctionOptions) => timers.set(name, options) } };
});

const DEV_TOKEN = 'dev-admin-token-project-deletion-0123456789';
const BOOTSTRAP_SECRET = 'bootstrap-secret-project-deletion-0123456789';
const ORG = 'org_local';
const connectionString = inject('storageConnectionString');
const stock = STOCK_COMPANIONS[0]!;
const clock = new ManualClock(new Date());

let runtime: Runtime;

const asAdmin = { authorization: `Bearer ${DEV_TOKEN}` };

/** The containers a project's data lives in, with the field that names the project. */
const CONTAINERS = [
  'projects',
  'api-keys',
  'sessions',
  'agents',
  'functions',
  'faqs',
  'knowledge-bases',
  'knowledge-files',
  'knowledge-chunks',
  'companions',
  'webhooks',
] as const;

async function documentCounts(projectId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const container of CONTAINERS) {
    const field = container === 'projects' ? 'id' : 'projectId';
    const { resources } = await runtime.cosmosDatabase
      .container(container)
      .items.query<number>({ query: `SELECT VALUE COUNT(1) FROM c WHERE c.${field} = @p`, parameters: [{ name: '@p', value: projectId }] })
      .fetchAll();
    counts[container] = resources.reduce((a, b) => a + b, 0);
  }
  return counts;
}

const nothingLeft = Object.fromEntries(CONTAINERS.map((c) => [c, 0]));

async function knowledgeBlobs(projectId: string): Promise<string[]> {
  const container = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(KNOWLEDGE_CONTAINER);
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix: `${projectId}/` })) names.push(blob.name);
  return names;
}

async function projectDocument(projectId: string): Promise<Json | undefined> {
  const { resource } = await runtime.cosmosDatabase.container('projects').item(projectId, projectId).read<Json>();
  return resource;
}

/** The project's messages on the real `project-deletions` queue (taken off it). */
async function takeDeletionMessages(projectId: string): Promise<Json[]> {
  const queue = new QueueClient(connectionString, PROJECT_DELETIONS_QUEUE);
  const mine: Json[] = [];
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
    if (receivedMessageItems.length === 0) break;
    for (const item of receivedMessageItems) {
      const message = JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')) as Json;
      if (message.projectId !== projectId) continue;
      mine.push(message);
      await queue.deleteMessage(item.messageId, item.popReceipt);
    }
  }
  return mine;
}

async function runDeletion(message: Json, functionName = 'project-deletions'): Promise<void> {
  const registration = registrations.queues.get(functionName);
  if (registration === undefined) throw new Error(`no queue function ${functionName}`);
  await registration.handler(message, new InvocationContext({ invocationId: 'it', functionName, triggerMetadata: { dequeueCount: 1 } }));
}

async function runSweep(): Promise<void> {
  const sweep = timers.get('project-deletion-sweep')!;
  await (sweep.handler as (timer: Timer, context: InvocationContext) => Promise<void>)(
    { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } },
    new InvocationContext({ functionName: 'project-deletion-sweep' }),
  );
}

async function addKnowledgeFile(key: Record<string, string>, baseId: string, projectId: string): Promise<void> {
  const form = new FormData();
  form.append('file', new Blob(['The warranty covers water damage for twenty four months when the seal is intact.'], { type: 'text/plain' }), 'warranty.txt');
  const encoded = new Request('http://localhost/', { method: 'POST', body: form });
  const added = await invokeHttp('public-knowledge-file-add', {
    params: { id: baseId },
    headers: { ...key, 'content-type': encoded.headers.get('content-type')! },
    body: { bytes: new Uint8Array(await encoded.arrayBuffer()) },
  });
  expect(added.status, String(added.body)).toBe(201);
  const fileId = (JSON.parse(added.body as string) as Json).id as string;
  // The blob trigger's work, done here: the landed file is ingested into chunks.
  const blob = BlobServiceClient.fromConnectionString(connectionString)
    .getContainerClient(KNOWLEDGE_CONTAINER)
    .getBlobClient(`${projectId}/${baseId}/${fileId}/source`);
  const bytes = await blob.downloadToBuffer();
  const { etag } = await blob.getProperties();
  const outcome = await runtime.services.knowledgeIngest.ingest({ projectId, baseId, fileId, bytes, etag: etag! });
  expect(outcome).toBeDefined();
}

/** A project with a key and one of everything: closed and open sessions, agent, function, FAQs, knowledge, companion, webhook. */
async function populatedProject(name: string): Promise<{ projectId: string; key: Record<string, string>; etag: string }> {
  const project = await call('manage-project-create', { headers: asAdmin, params: { orgId: ORG }, body: { name } });
  expect(project.status).toBe(201);
  const projectId = project.json!.id as string;
  const created = await call('manage-api-key-create', { headers: asAdmin, params: { projectId }, body: { name: 'server', llm: { hosting: 'hosted' } } });
  expect(created.status).toBe(201);
  const key = { 'x-api-key': created.json!.secret as string };

  const fn = await call('public-function-create', { headers: key, body: { data: { name: 'lookup_order', description: 'Looks up an order' }, flow: 'implicit' } });
  expect(fn.status, JSON.stringify(fn.json)).toBe(201);
  const faq = await call('public-faq-create', { headers: key, body: { name: 'Billing', faqs: [{ question: 'Price?', answer: 'Per minute.' }] } });
  expect(faq.status).toBe(201);
  const base = await call('public-knowledge-base-create', { headers: key, body: { name: 'Manuals' } });
  expect(base.status).toBe(201);
  await addKnowledgeFile(key, base.json!.id as string, projectId);
  const companion = await call('public-companion-create', { headers: key, body: { description: 'A friendly guide for the museum.' } });
  expect(companion.status, JSON.stringify(companion.json)).toBe(201);
  const agent = await call('public-agent-create', { headers: key, body: { companionId: stock.id, name: 'Support', voiceId: 'coral' } });
  expect(agent.status, JSON.stringify(agent.json)).toBe(201);
  const agentId = agent.json!.id as string;

  const closed = await call('public-agent-connection-create', { headers: key, params: { agentId }, body: { channelType: 'text' } });
  expect(closed.status).toBe(201);
  const said = await call('public-session-message', {
    headers: { authorization: `Bearer ${closed.json!.token as string}` },
    params: { id: closed.json!.connection.id as string },
    body: { text: 'What does the warranty cover?' },
  });
  expect(said.status, JSON.stringify(said.json)).toBe(200);
  expect((await call('public-connection-delete', { headers: key, params: { id: closed.json!.connection.id as string } })).status).toBe(200);
  const open = await call('public-agent-connection-create', { headers: key, params: { agentId }, body: { channelType: 'text' } });
  expect(open.status).toBe(201);

  const webhook = await call('manage-webhook-put', { headers: asAdmin, params: { projectId }, body: { url: 'https://hooks.example.com/companion' } });
  expect(webhook.status, JSON.stringify(webhook.json)).toBe(201);

  const current = await call('manage-project-get', { headers: asAdmin, params: { orgId: ORG, projectId } });
  return { projectId, key, etag: current.json!.etag as string };
}

beforeAll(async () => {
  ({ runtime } = await bootstrappedRuntime('project-deletion', {
    apiKeySecret: BOOTSTRAP_SECRET,
    settings: { COMPANION_DEV_ADMIN_TOKEN: DEV_TOKEN },
    options: { clock, manageTokenVerifier: userTokenVerifier },
  }));
  await import('../../functions/index.js');
});

afterAll(() => releaseRuntime(runtime));

describe('DELETE /manage/orgs/{orgId}/projects/{projectId}', () => {
  it('answers 204, the project and its key stop working at once, and the queued deletion removes everything it owned', async () => {
    const { projectId, key, etag } = await populatedProject('Doomed');
    const before = await documentCounts(projectId);
    for (const [container, count] of Object.entries(before)) expect(count, container).toBeGreaterThan(0);
    expect(before.sessions).toBe(2);
    expect(await knowledgeBlobs(projectId)).not.toEqual([]);

    // If-Match as for any change: a stale ETag changes nothing.
    const stale = await call('manage-project-delete', { headers: { ...asAdmin, 'if-match': '"stale"' }, params: { orgId: ORG, projectId } });
    expect(stale.status).toBe(412);
    expect((await call('public-project-get', { headers: key })).status).toBe(200);

    const deleted = await call('manage-project-delete', { headers: { ...asAdmin, 'if-match': etag }, params: { orgId: ORG, projectId } });
    expect(deleted.status).toBe(204);

    // At once: 404 wherever the project is read, 401 for its key, and it is left out of the organization's list.
    expect((await call('manage-project-get', { headers: asAdmin, params: { orgId: ORG, projectId } })).status).toBe(404);
    expect((await call('manage-project-update', { headers: asAdmin, params: { orgId: ORG, projectId }, body: { name: 'Back' } })).status).toBe(404);
    expect((await call('manage-project-delete', { headers: asAdmin, params: { orgId: ORG, projectId } })).status).toBe(404);
    const listed = await call('manage-projects-list', { headers: asAdmin, params: { orgId: ORG }, query: 'pageSize=100' });
    expect(listed.json!.items.map((p: Json) => p.id)).not.toContain(projectId);
    expect(listed.json!.totalCount).toBe(listed.json!.items.length);
    expect((await call('manage-api-keys-list', { headers: asAdmin, params: { projectId } })).status).toBe(404);
    expect((await call('manage-webhook-get', { headers: asAdmin, params: { projectId } })).status).toBe(404);
    expect((await call('manage-api-key-create', { headers: asAdmin, params: { projectId }, body: { name: 'late', llm: { hosting: 'hosted' } } })).status).toBe(404);
    expect((await call('public-agents-list', { headers: { ...asAdmin, 'x-project-id': projectId } })).status).toBe(404);
    const byKey = await call('public-project-get', { headers: key });
    expect(byKey.status).toBe(401);
    expect(byKey.json).toMatchObject({ code: 'InvalidApiKey' });
    expect((await call('public-agents-list', { headers: key })).status).toBe(401);
    expect(await projectDocument(projectId)).toMatchObject({ id: projectId, deletingSince: expect.any(String) });
    expect((await documentCounts(projectId))['api-keys']).toBe(0);

    const messages = await takeDeletionMessages(projectId);
    expect(messages).toEqual([{ orgId: ORG, projectId }]);
    await runDeletion(messages[0]!);
    expect(await documentCounts(projectId)).toEqual(nothingLeft);
    expect(await knowledgeBlobs(projectId)).toEqual([]);
    expect(await runtime.services.projectDeletion.finishDeletion({ orgId: ORG, projectId })).toBe('alreadyDeleted');

    // The same message again (at-least-once delivery) does nothing, and so does its poison twin.
    await runDeletion(messages[0]!);
    await runDeletion(messages[0]!, 'project-deletions-poison');
    expect(await documentCounts(projectId)).toEqual(nothingLeft);
    // The other projects are untouched.
    expect((await call('public-project-get', { headers: { 'x-api-key': BOOTSTRAP_SECRET } })).status).toBe(200);
  }, 60_000);

  it('a deletion that fails part-way leaves the project marked, and the retried message finishes it', async () => {
    const { projectId } = await populatedProject('Crashing');
    expect((await call('manage-project-delete', { headers: asAdmin, params: { orgId: ORG, projectId } })).status).toBe(204);
    const [message] = await takeDeletionMessages(projectId);

    // The knowledge base's stored documents cannot be deleted on the first try: the base is left marked deleting.
    const store = (runtime.services.knowledgeBases as unknown as { deps: { knowledgeStore: { deleteFolder: (prefix: string) => Promise<void> } } }).deps
      .knowledgeStore;
    const failOnce = vi.spyOn(store, 'deleteFolder').mockRejectedValueOnce(new Error('storage unavailable'));
    await expect(runDeletion(message!)).rejects.toThrow('storage unavailable');
    failOnce.mockRestore();
    const halfway = await documentCounts(projectId);
    expect(halfway).toMatchObject({ projects: 1, sessions: 0, agents: 0, 'knowledge-bases': 1 });
    expect(halfway.companions).toBeGreaterThan(0);
    expect(await projectDocument(projectId)).toMatchObject({ deletingSince: expect.any(String) });
    expect((await call('manage-project-get', { headers: asAdmin, params: { orgId: ORG, projectId } })).status).toBe(404);

    await runDeletion(message!);
    expect(await documentCounts(projectId)).toEqual(nothingLeft);
    expect(await knowledgeBlobs(projectId)).toEqual([]);
  }, 60_000);

  it('a project marked deleting whose message was lost is finished by the hourly sweep after an hour', async () => {
    const { projectId, key } = await populatedProject('Lost message');
    expect((await call('manage-project-delete', { headers: asAdmin, params: { orgId: ORG, projectId } })).status).toBe(204);
    expect(await takeDeletionMessages(projectId)).toHaveLength(1);
    expect((await call('public-project-get', { headers: key })).status).toBe(401);

    // Within the hour the message may still be on its way: the sweep leaves the project alone.
    clock.advance(30 * 60_000);
    await runSweep();
    expect((await documentCounts(projectId)).projects).toBe(1);

    clock.advance(31 * 60_000);
    await runSweep();
    expect(await documentCounts(projectId)).toEqual(nothingLeft);
    expect(await knowledgeBlobs(projectId)).toEqual([]);
    await runSweep();
  }, 60_000);
  it('the local Default project deleted just before a restart is finished and made afresh at the next start', async () => {
    const local = 'proj_local';
    const faq = await call('public-faq-create', { headers: { 'x-api-key': BOOTSTRAP_SECRET }, body: { name: 'Old', faqs: [] } });
    expect(faq.status).toBe(201);
    expect((await call('manage-project-delete', { headers: asAdmin, params: { orgId: ORG, projectId: local } })).status).toBe(204);
    // The host stopped before the queue delivered the message.
    expect(await takeDeletionMessages(local)).toHaveLength(1);
    expect(await projectDocument(local)).toMatchObject({ deletingSince: expect.any(String) });

    const again = await runtime.services.bootstrap.ensureLocalBootstrap({ devAdminUserId: 'dev-admin', apiKeySecret: BOOTSTRAP_SECRET });
    expect(again.project).toMatchObject({ id: local, name: 'Default' });
    expect((await projectDocument(local))?.['deletingSince']).toBeUndefined();
    const faqs = await call('public-faqs-list', { headers: { 'x-api-key': BOOTSTRAP_SECRET } });
    expect(faqs.status).toBe(200);
    expect(faqs.json!.items).toEqual([]);
  }, 60_000);
});

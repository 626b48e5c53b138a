import { BlobServiceClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { WEBHOOK_EVENTS_QUEUE } from '../../shared/adapters/queues.js';
import { COMPANION_MEDIA_CONTAINER } from '../../shared/domain/companion.js';
import { webhookEventSchema, type WebhookEvent } from '../../shared/domain/webhook-event.js';
import type { Runtime } from '../../shared/runtime.js';
import { call, createOtherProjectKey, userTokenVerifier, type Json } from './helpers/http-harness.js';
import { bootstrappedRuntime, releaseRuntime } from './helpers/test-runtime.js';

vi.mock('@azure/functions', async (importOriginal) =>
  (await import('./helpers/function-registrations.js')).capturingFunctionsModule(await importOriginal()),
);

const DEV_TOKEN = 'dev-admin-token-companions-0123456789';
const BOOTSTRAP_SECRET = 'bootstrap-secret-companions-0123456789';
const connectionString = inject('storageConnectionString');

let runtime: Runtime;
let otherProjectKey: string;

const asAdmin = { authorization: `Bearer ${DEV_TOKEN}` };
const key = (secret = BOOTSTRAP_SECRET) => ({ 'x-api-key': secret });

const sarah = {
  firstName: 'Sarah',
  lastName: 'Johnson',
  description: 'VP of Customer Success at Acme Corp. Confident, warm, and knowledgeable.',
  gender: 'female',
  ethnicity: 'Caucasian',
  voiceUrl: 'https://example.com/recordings/sarah-voice-sample.wav',
  videoUrl: 'https://example.com/videos/sarah-speaking.mp4',
  externalClientId: 'sarah-johnson-001',
  version: 'v2',
};

/** Every event queued so far for these companions, read off the real queue (and removed from it). */
const seenEvents: WebhookEvent[] = [];
async function eventsFor(companionIds: string[]): Promise<WebhookEvent[]> {
  const queue = new QueueClient(connectionString, WEBHOOK_EVENTS_QUEUE);
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
    if (receivedMessageItems.length === 0) break;
    for (const message of receivedMessageItems) {
      seenEvents.push(webhookEventSchema.parse(JSON.parse(Buffer.from(message.messageText, 'base64').toString('utf8'))));
    }
  }
  // The queue is shared with other test files, whose events (sessions, ...) carry no companion.
  return seenEvents.filter((e) => companionIds.includes((e.data.companion as { id: string } | undefined)?.id ?? ''));
}

beforeAll(async () => {
  ({ runtime } = await bootstrappedRuntime('companions-http', {
    apiKeySecret: BOOTSTRAP_SECRET,
    settings: { COMPANION_DEV_ADMIN_TOKEN: DEV_TOKEN },
    options: { manageTokenVerifier: userTokenVerifier },
  }));
  await import('../../functions/index.js');

  otherProjectKey = await createOtherProjectKey(asAdmin);
});

afterAll(() => releaseRuntime(runtime));

describe('companions through the real function handlers on the emulators', () => {
  it('creates, lists with filters, reads, changes with If-Match and deletes a companion, queueing each change', async () => {
    const created = await call('public-companion-create', {
      headers: key(),
      body: { description: 'A friendly support guide', firstName: 'Ava', gender: 'female', ethnicity: 'caucasian', tags: { team: 'support' }, pictureUrl: 'https://media.example.com/ava.png' },
    });
    expect(created.status).toBe(201);
    const id = created.json!.id as string;
    expect(created.headers.get('location')).toBe(`/public/companions/${id}`);
    expect(created.json).toMatchObject({ personaType: 'companion', status: 'pending', ethnicity: 'Caucasian', version: 'v1', media: { picture: { status: 'awaiting' } } });
    expect(created.json).not.toHaveProperty('projectId');
    const other = await call('public-companion-create', { headers: key(), body: { description: 'Sales closer', firstName: 'Ben', gender: 'male' } });

    const bySearch = await call('public-companions-list', { headers: key(), query: 'search=SUPPORT&statuses=pending,failed' });
    expect(bySearch.json).toMatchObject({ filteredCount: 1, pageIndex: 0, pageSize: 20 });
    expect(bySearch.json!.items.map((c: Json) => c.id)).toEqual([id]);
    expect(bySearch.json!.totalCount).toBeGreaterThanOrEqual(2);
    const byTag = await call('public-companions-list', { headers: key(), query: 'tags=team:support&statuses[]=pending&gender=female' });
    expect(byTag.json!.items.map((c: Json) => c.id)).toEqual([id]);
    const none = await call('public-companions-list', { headers: key(), query: 'personaType=companion&ethnicity=African' });
    expect(none.json).toMatchObject({ items: [], filteredCount: 0 });
    const bad = await call('public-companions-list', { headers: key(), query: 'statuses=ready' });
    expect(bad.status).toBe(400);

    const got = await call('public-companion-get', { headers: key(), params: { id } });
    const etag = got.headers.get('etag')!;
    expect(got.json!.etag).toBe(etag);

    const appearance = await call('public-companion-update', { headers: key(), params: { id }, body: { headline: 'x', gender: 'male', pictureUrl: 'https://m.example.com/b.png' } });
    expect(appearance.status).toBe(400);
    expect(appearance.json).toMatchObject({ code: 'ValidationFailed' });
    expect(appearance.json!.errors.map((e: Json) => e.path).sort()).toEqual(['gender', 'pictureUrl']);

    const patched = await call('public-companion-update', { headers: { ...key(), 'if-match': etag }, params: { id }, body: { headline: 'Support lead', tags: { team: 'care' } } });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ headline: 'Support lead', tags: { team: 'care' }, gender: 'female' });
    const stale = await call('public-companion-update', { headers: { ...key(), 'if-match': etag }, params: { id }, body: { headline: 'Lost' } });
    expect(stale.status).toBe(412);
    expect(stale.json).toMatchObject({ code: 'PreconditionFailed' });

    const blobs = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(COMPANION_MEDIA_CONTAINER);
    await blobs.createIfNotExists();
    await blobs.getBlockBlobClient(`proj_local/${id}/picture/source`).upload('png', 3);
    await blobs.getBlockBlobClient(`proj_local/${other.json!.id as string}/picture/source`).upload('png', 3);

    const staleDelete = await call('public-companion-delete', { headers: { ...key(), 'if-match': etag }, params: { id } });
    expect(staleDelete.status).toBe(412);
    const deleted = await call('public-companion-delete', { headers: { ...key(), 'if-match': patched.headers.get('etag')! }, params: { id } });
    expect(deleted.status).toBe(204);
    expect((await call('public-companion-get', { headers: key(), params: { id } })).status).toBe(404);
    expect(await blobs.getBlobClient(`proj_local/${id}/picture/source`).exists()).toBe(false);
    expect(await blobs.getBlobClient(`proj_local/${other.json!.id as string}/picture/source`).exists()).toBe(true);

    const events = await eventsFor([id]);
    expect(events.map((e) => e.type)).toEqual(['companion.created', 'companion.updated', 'companion.deleted']);
    expect(events[0]).toMatchObject({ orgId: 'org_local', projectId: 'proj_local', data: { companion: { id, firstName: 'Ava' } } });
    expect(events[1]!.data.companion).toMatchObject({ headline: 'Support lead', etag: patched.json!.etag });
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    expect(JSON.stringify(events)).not.toContain('blobPath');
  });

  it('refuses digital twins until an admin consents through the manage route, then refuses a duplicate externalClientId', async () => {
    const refused = await call('public-digital-twin-create', { headers: key(), body: sarah });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ code: 'DigitalTwinConsentRequired' });

    await call('manage-member-add', { headers: asAdmin, params: { orgId: 'org_local' }, body: { userId: 'oid-reader', role: 'member' } });
    const before = await call('manage-digital-twin-consent-get', { headers: asAdmin, params: { orgId: 'org_local' } });
    expect(before.json).toEqual({ granted: false });
    const granted = await call('manage-digital-twin-consent-grant', { headers: asAdmin, params: { orgId: 'org_local' }, body: { granted: true } });
    expect(granted.status).toBe(200);
    expect(granted.json).toEqual({ granted: true, grantedBy: 'dev-admin', grantedAt: expect.any(String) });
    const emptyBody = await call('manage-digital-twin-consent-grant', { headers: asAdmin, params: { orgId: 'org_local' } });
    expect(emptyBody.json).toEqual(granted.json);

    const twin = await call('public-digital-twin-create', { headers: key(), body: sarah });
    expect(twin.status).toBe(201);
    expect(twin.json).toMatchObject({
      id: expect.stringMatching(/^comp_/),
      personaType: 'digitalTwin',
      firstName: 'Sarah',
      lastName: 'Johnson',
      gender: 'female',
      ethnicity: 'Caucasian',
      version: 'v2',
      externalClientId: 'sarah-johnson-001',
      voice: { status: 'pending' },
      media: { voice: { source: 'url', status: 'awaiting' }, video: { source: 'url', status: 'awaiting' } },
    });
    expect(twin.headers.get('location')).toBe(`/public/companions/${twin.json!.id as string}`);

    const duplicate = await call('public-digital-twin-create', { headers: key(), body: { ...sarah, firstName: 'Other' } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json).toMatchObject({ code: 'DigitalTwinAlreadyExists' });
    const racing = await Promise.all([
      call('public-digital-twin-create', { headers: key(), body: { ...sarah, externalClientId: 'racer' } }),
      call('public-digital-twin-create', { headers: key(), body: { ...sarah, externalClientId: 'racer' } }),
    ]);
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409]);

    const noLikeness = await call('public-digital-twin-create', { headers: key(), body: { ...sarah, externalClientId: 'n-1', version: 'v1', videoUrl: undefined } });
    expect(noLikeness.status).toBe(400);
    expect(noLikeness.json!.errors).toEqual([{ path: 'pictureUrl', message: expect.any(String) }]);

    const twins = await call('public-companions-list', { headers: key(), query: 'personaType=digitalTwin' });
    expect(twins.json!.items.map((c: Json) => c.externalClientId).sort()).toEqual(['racer', 'sarah-johnson-001']);

    const asMember = { authorization: 'Bearer user:oid-reader' };
    const memberRead = await call('manage-digital-twin-consent-get', { headers: asMember, params: { orgId: 'org_local' } });
    expect(memberRead.json).toEqual(granted.json);
    const memberWithdraw = await call('manage-digital-twin-consent-withdraw', { headers: asMember, params: { orgId: 'org_local' } });
    expect(memberWithdraw.status).toBe(403);
    const withdrawn = await call('manage-digital-twin-consent-withdraw', { headers: asAdmin, params: { orgId: 'org_local' } });
    expect(withdrawn.status).toBe(204);
    const afterWithdrawal = await call('public-digital-twin-create', { headers: key(), body: { ...sarah, externalClientId: 'after' } });
    expect(afterWithdrawal.json).toMatchObject({ code: 'DigitalTwinConsentRequired' });
    const regranted = await call('manage-digital-twin-consent-grant', { headers: asAdmin, params: { orgId: 'org_local' } });
    expect(regranted.status).toBe(200);

    const deleted = await call('public-companion-delete', { headers: key(), params: { id: twin.json!.id as string } });
    expect(deleted.status).toBe(204);
    const again = await call('public-digital-twin-create', { headers: key(), body: sarah });
    expect(again.status).toBe(201);
  });

  it("a project never sees another project's companions", async () => {
    const mine = await call('public-companion-create', { headers: key(), body: { description: 'Mine only' } });
    const id = mine.json!.id as string;

    expect((await call('public-companion-get', { headers: key(otherProjectKey), params: { id } })).status).toBe(404);
    expect((await call('public-companion-update', { headers: key(otherProjectKey), params: { id }, body: { headline: 'taken' } })).status).toBe(404);
    expect((await call('public-companion-delete', { headers: key(otherProjectKey), params: { id } })).status).toBe(404);
    const theirs = await call('public-companions-list', { headers: key(otherProjectKey), query: 'search=mine%20only' });
    expect(theirs.json).toMatchObject({ items: [], filteredCount: 0 });
    expect((await call('public-companion-get', { headers: key(), params: { id } })).status).toBe(200);
  });

  it('serves the ethnicities, the standard voices and the stock catalog to every project', async () => {
    const ethnicities = await call('public-companion-ethnicities-list', { headers: key(otherProjectKey) });
    expect(ethnicities.json!.items).toContain('Caucasian');
    const voices = await call('public-voices-list', { headers: key() });
    expect(voices.json!.items.map((v: Json) => v.id)).toEqual(['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar']);
    const stock = await call('public-companion-stock-list', { headers: key(otherProjectKey), query: 'pageSize=2' });
    expect(stock.json).toMatchObject({ pageSize: 2, filteredCount: stock.json!.totalCount });
    expect(stock.json!.items).toHaveLength(2);
    expect(stock.json!.items[0]).toMatchObject({ stock: true, status: 'completed', personaType: 'companion' });
    const one = await call('public-companion-get', { headers: key(otherProjectKey), params: { id: stock.json!.items[0].id as string } });
    expect(one.status).toBe(200);
    const change = await call('public-companion-update', { headers: key(), params: { id: stock.json!.items[0].id as string }, body: { headline: 'mine' } });
    expect(change.status).toBe(403);
    expect((await call('public-voices-list', {})).status).toBe(401);
  });
});

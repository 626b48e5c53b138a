import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Runtime } from '../../shared/runtime.js';
import { call, userTokenVerifier } from './helpers/http-harness.js';
import { bootstrappedRuntime, releaseRuntime } from './helpers/test-runtime.js';

vi.mock('@azure/functions', async (importOriginal) =>
  (await import('./helpers/function-registrations.js')).capturingFunctionsModule(await importOriginal()),
);

const DEV_TOKEN = 'dev-admin-token-http-0123456789abcd';
const BOOTSTRAP_SECRET = 'bootstrap-secret-http-0123456789';

let runtime: Runtime;

const asAdmin = { authorization: `Bearer ${DEV_TOKEN}` };
const asUser = (oid: string) => ({ authorization: `Bearer user:${oid}` });

beforeAll(async () => {
  ({ runtime } = await bootstrappedRuntime('http', {
    apiKeySecret: BOOTSTRAP_SECRET,
    settings: { COMPANION_DEV_ADMIN_TOKEN: DEV_TOKEN },
    options: { manageTokenVerifier: userTokenVerifier },
  }));
  await import('../../functions/index.js');
});

afterAll(() => releaseRuntime(runtime));

describe('management API through the real function handlers on the emulators', () => {
  it('GET /public/project answers for the bootstrap key and refuses an unknown one', async () => {
    const ok = await call('public-project-get', { headers: { 'x-api-key': BOOTSTRAP_SECRET } });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ project: { id: 'proj_local', name: 'Default' }, organization: { id: 'org_local', name: 'Local' } });
    const missing = await call('public-project-get', {});
    expect(missing.status).toBe(401);
    expect(missing.json).toMatchObject({ code: 'InvalidApiKey' });
  });

  it('an admin manages projects, members and keys; a member browses; a stranger sees nothing', async () => {
    const me = await call('manage-me-get', { headers: asAdmin });
    expect(me.json!.memberships).toEqual([{ organization: { id: 'org_local', name: 'Local' }, memberId: expect.any(String), role: 'admin' }]);

    const created = await call('manage-project-create', { headers: asAdmin, params: { orgId: 'org_local' }, body: { name: 'Staging' } });
    expect(created.status).toBe(201);
    const projectId = created.json!.id as string;
    expect(created.headers.get('location')).toBe(`/manage/orgs/org_local/projects/${projectId}`);

    const added = await call('manage-member-add', { headers: asAdmin, params: { orgId: 'org_local' }, body: { userId: 'oid-member', role: 'member' } });
    expect(added.status).toBe(201);

    const memberList = await call('manage-projects-list', { headers: asUser('oid-member'), params: { orgId: 'org_local' } });
    expect(memberList.status).toBe(200);
    expect(memberList.json!.items.map((p: { name: string }) => p.name).sort()).toEqual(['Default', 'Staging']);
    const memberCreate = await call('manage-project-create', { headers: asUser('oid-member'), params: { orgId: 'org_local' }, body: { name: 'No' } });
    expect(memberCreate.status).toBe(403);
    expect(memberCreate.json).toMatchObject({ code: 'Forbidden' });
    const memberKeys = await call('manage-api-keys-list', { headers: asUser('oid-member'), params: { projectId } });
    expect(memberKeys.status).toBe(403);

    const stranger = await call('manage-org-get', { headers: asUser('oid-stranger'), params: { orgId: 'org_local' } });
    expect(stranger.status).toBe(404);
    const strangerKeys = await call('manage-api-keys-list', { headers: asUser('oid-stranger'), params: { projectId } });
    expect(strangerKeys.status).toBe(404);

    const key = await call('manage-api-key-create', { headers: asAdmin, params: { projectId }, body: { name: 'Staging key', llm: { hosting: 'hosted' } } });
    expect(key.status).toBe(201);
    const secret = key.json!.secret as string;
    const project = await call('public-project-get', { headers: { 'x-api-key': secret } });
    expect(project.json).toMatchObject({ project: { id: projectId, name: 'Staging' } });

    const listed = await call('manage-api-keys-list', { headers: asAdmin, params: { projectId } });
    expect(listed.json!.items).toEqual([expect.objectContaining({ name: 'Staging key', prefix: secret.slice(0, 8), last4: secret.slice(-4) })]);
    expect(JSON.stringify(listed.json)).not.toContain(secret);

    const revoked = await call('manage-api-key-revoke', { headers: asAdmin, params: { projectId, keyId: key.json!.id as string } });
    expect(revoked.status).toBe(204);
    const afterRevoke = await call('public-project-get', { headers: { 'x-api-key': secret } });
    expect(afterRevoke.status).toBe(401);
  });

  it('PATCH with a stale If-Match answers 412, and the last admin cannot leave', async () => {
    const org = await call('manage-org-get', { headers: asAdmin, params: { orgId: 'org_local' } });
    const etag = org.headers.get('etag')!;
    const renamed = await call('manage-org-update', { headers: { ...asAdmin, 'if-match': etag }, params: { orgId: 'org_local' }, body: { name: 'Local HQ' } });
    expect(renamed.status).toBe(200);
    const stale = await call('manage-org-update', { headers: { ...asAdmin, 'if-match': etag }, params: { orgId: 'org_local' }, body: { name: 'Again' } });
    expect(stale.status).toBe(412);

    const me = await call('manage-me-get', { headers: asAdmin });
    const memberId = me.json!.memberships[0].memberId as string;
    const leave = await call('manage-member-remove', { headers: asAdmin, params: { orgId: 'org_local', memberId } });
    expect(leave.status).toBe(409);
    expect(leave.json).toMatchObject({ code: 'LastAdmin' });
  });

  it('GET /health and GET /openapi.json answer', async () => {
    const health = await call('health', {});
    expect(health).toMatchObject({ status: 200, json: { status: 'ok', checks: { storage: 'ok', cosmos: 'ok' } } });
    const openapi = await call('openapi', {});
    expect(openapi.status).toBe(200);
    expect(Object.keys(openapi.json!.paths as object)).toContain('/manage/projects/{projectId}/api-keys');
  });
});

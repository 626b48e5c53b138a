import { HttpRequest } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { STOCK_COMPANIONS } from '../../../shared/domain/stock-companions.js';
import type { Runtime } from '../../../shared/runtime.js';
import { call, invokeHttp, userTokenVerifier } from '../helpers/http-harness.js';
import { bootstrappedRuntime, releaseRuntime } from '../helpers/test-runtime.js';

vi.mock('@azure/functions', async (importOriginal) =>
  (await import('../helpers/function-registrations.js')).capturingFunctionsModule(await importOriginal()),
);

/**
 * The dashboard calls a project's `/public` routes with the signed-in user's `/manage` token and `X-Project-Id`.
 * Members read and use the Playground; changes are for admins; outsiders do not see the project.
 */

const DEV_TOKEN = 'dev-admin-token-dashboard-0123456789abcdef';
const BOOTSTRAP_SECRET = 'bootstrap-secret-dashboard-0123456789abcdef';
const SESSION_SECRET = 'session-token-secret-for-tests-0123456789';
const ORG = 'org_local';

let runtime: Runtime;
let projectId: string;

const as = (token: string, project = projectId) => ({ authorization: `Bearer ${token}`, 'x-project-id': project });
const ADMIN = DEV_TOKEN;
const MEMBER = 'user:dashboard-member';
const OUTSIDER = 'user:dashboard-outsider';

beforeAll(async () => {
  const started = await bootstrappedRuntime('dashboard', {
    apiKeySecret: BOOTSTRAP_SECRET,
    settings: { COMPANION_DEV_ADMIN_TOKEN: DEV_TOKEN, SESSION_TOKEN_SECRET: SESSION_SECRET },
    options: { manageTokenVerifier: userTokenVerifier },
  });
  runtime = started.runtime;
  projectId = started.bootstrap.project.id;
  await import('../../../functions/index.js');
  const added = await call('manage-member-add', {
    headers: { authorization: `Bearer ${DEV_TOKEN}` },
    params: { orgId: ORG },
    body: { userId: 'dashboard-member', role: 'member' },
  });
  expect(added.status).toBe(201);
});

afterAll(async () => {
  await releaseRuntime(runtime);
});

describe('the dashboard on /public routes', () => {
  it('lets an admin change the project and a member only read it', async () => {
    const created = await call('public-faq-create', { headers: as(ADMIN), body: { name: 'Store', faqs: [{ question: 'Hours?', answer: '9 to 5.' }] } });
    expect(created.status).toBe(201);

    const listed = await call('public-faqs-list', { headers: as(MEMBER) });
    expect(listed.status).toBe(200);
    expect(listed.json!.items.map((f: { name: string }) => f.name)).toEqual(['Store']);

    const refused = await call('public-faq-create', { headers: as(MEMBER), body: { name: 'Mine', faqs: [] } });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ code: 'AdminRoleRequired' });
    const deleted = await call('public-faq-delete', { headers: as(MEMBER), params: { id: created.json!.id } });
    expect(deleted.status).toBe(403);
    expect((await call('public-faqs-list', { headers: as(ADMIN) })).json!.items).toHaveLength(1);
  });

  it('lets a member open and end a Playground session, billed as platform-hosted', async () => {
    const agent = await call('public-agent-create', {
      headers: as(ADMIN),
      body: { companionId: STOCK_COMPANIONS[0]!.id, name: 'Front desk', voiceId: 'coral' },
    });
    expect(agent.status).toBe(201);

    const opened = await call('public-agent-connection-create', {
      headers: as(MEMBER),
      params: { agentId: agent.json!.id },
      body: { channelType: 'text', modality: 'text' },
    });
    expect(opened.status).toBe(201);
    const sessionId = opened.json!.connection.id as string;

    const reply = await call('public-session-message', {
      headers: { authorization: `Bearer ${opened.json!.token}` },
      params: { id: sessionId },
      body: { text: 'Hello' },
    });
    expect(reply.status).toBe(200);

    const ended = await call('public-connection-delete', { headers: as(MEMBER), params: { id: sessionId } });
    expect(ended.status).toBe(200);
    const session = await call('public-session-get', { headers: as(MEMBER), params: { id: sessionId } });
    expect(session.json).toMatchObject({ status: 'closed', closeReason: 'connection_closed', cost: { currency: 'USD' } });
    const stored = await runtime.services.sessions.get({ keyId: '', orgId: ORG, projectId, hosting: 'hosted' }, sessionId);
    expect(stored).toMatchObject({ hosting: 'hosted' });
    expect(stored.keyId).toMatch(/^dashboard:/);

    // Deleting a session's record is an admin's decision.
    const removed = await call('public-session-delete', { headers: as(MEMBER), params: { id: sessionId } });
    expect(removed.status).toBe(403);
  });

  it("shows a member only their own sessions, never the application's or another member's", async () => {
    const agent = await call('public-agent-create', {
      headers: as(ADMIN),
      body: { companionId: STOCK_COMPANIONS[0]!.id, name: 'Back office', voiceId: 'coral' },
    });
    const byKey = await call('public-agent-connection-create', {
      headers: { 'x-api-key': BOOTSTRAP_SECRET },
      params: { agentId: agent.json!.id },
      body: { channelType: 'text' },
    });
    expect(byKey.status).toBe(201);
    const production = byKey.json!.connection.id as string;
    const mine = await call('public-agent-connection-create', { headers: as(MEMBER), params: { agentId: agent.json!.id }, body: { channelType: 'text' } });
    const own = mine.json!.connection.id as string;

    const listed = await call('public-sessions-list', { headers: as(MEMBER), query: 'pageSize=100' });
    const ids = (listed.json!.items as { id: string }[]).map((s) => s.id);
    expect(ids).toContain(own);
    expect(ids).not.toContain(production);
    expect(listed.json!.totalCount).toBe(ids.length);
    expect((await call('public-session-get', { headers: as(MEMBER), params: { id: production } })).status).toBe(404);
    expect((await call('public-connection-delete', { headers: as(MEMBER), params: { id: production } })).status).toBe(404);
    expect((await call('public-session-get', { headers: as(ADMIN), params: { id: production } })).json).toMatchObject({ status: 'pending' });

    const all = await call('public-sessions-list', { headers: as(ADMIN), query: 'pageSize=100' });
    expect((all.json!.items as { id: string }[]).map((s) => s.id)).toEqual(expect.arrayContaining([own, production]));
  });

  it('keeps billing from members', async () => {
    expect((await call('public-usage-get', { headers: as(MEMBER) })).status).toBe(403);
    expect((await call('public-usage-get', { headers: as(ADMIN) })).status).toBe(200);
  });

  it('hides the project from outsiders and refuses calls without a valid token', async () => {
    const outsider = await call('public-faqs-list', { headers: as(OUTSIDER) });
    expect(outsider.status).toBe(404);
    expect(outsider.json).toMatchObject({ code: 'NotFound' });

    const unknown = await call('public-faqs-list', { headers: as(ADMIN, 'proj_missing') });
    expect(unknown.status).toBe(404);

    const anonymous = await call('public-faqs-list', { headers: { 'x-project-id': projectId } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');

    const forged = await call('public-faqs-list', { headers: as('not-a-token') });
    expect(forged.status).toBe(401);
  });

  it('still takes an API key first when both are sent', async () => {
    const reply = await call('public-faq-create', {
      headers: { 'x-api-key': BOOTSTRAP_SECRET, 'x-project-id': 'proj_missing' },
      body: { name: 'By key', faqs: [] },
    });
    expect(reply.status).toBe(201);
  });
});

describe('the dashboard files under /dashboard/ (and /admin/ locally)', () => {
  it('serves the app with its security headers, its sign-in configuration, and nothing outside its folder', async () => {
    const index = await invokeHttp('dashboard', { params: { path: '' }, headers: { 'accept-encoding': 'gzip' } });
    expect(index.status).toBe(200);
    const headers = new Headers(index.headers as Record<string, string>);
    expect(headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(headers.get('cache-control')).toBe('no-cache');

    const page = await invokeHttp('dashboard', { params: { path: 'companions' } });
    expect(page.status).toBe(200);
    expect(new Headers(page.headers as Record<string, string>).get('content-type')).toContain('text/html');

    const config = await invokeHttp('dashboard', { params: { path: 'config.json' } });
    expect(JSON.parse(String(config.body))).toEqual({ devToken: true, entra: null });

    const html = Buffer.from(((await invokeHttp('dashboard', { params: { path: '' } })).body as Uint8Array)).toString('utf8');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await invokeHttp('dashboard', { params: { path: script! }, headers: { 'accept-encoding': 'gzip, br' } });
    const assetHeaders = new Headers(asset.headers as Record<string, string>);
    expect(assetHeaders.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(assetHeaders.get('content-encoding')).toBe('gzip');

    // The folder's address without its slash is sent to the folder, which the app's relative paths need.
    const { serveDashboard } = await import('../../../functions/dashboard.js');
    const bare = await serveDashboard(new HttpRequest({ method: 'GET', url: 'http://localhost:7071/dashboard?x=1', params: {} }));
    expect(bare.status).toBe(301);
    expect(new Headers(bare.headers as Record<string, string>).get('location')).toBe('/dashboard/?x=1');
    const local = new Headers((await invokeHttp('dashboard-at-admin', { params: { path: 'config.json' } })).headers as Record<string, string>);
    expect(local.get('content-type')).toContain('application/json');

    for (const path of ['../package.json', 'assets/../../package.json', 'missing.js']) {
      const outside = await invokeHttp('dashboard', { params: { path } });
      expect(outside.status, path).toBe(404);
    }
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceProcess, type ServiceProcess } from '../../local/service-process.js';
import { startFakeEntraIssuer, type FakeEntraIssuer } from '../fakes/entra-issuer.js';

/**
 * The service as a user runs it: `node dist/local/start.js` with its own emulators and data folder, driven over
 * HTTP. /manage is called with the dev admin token and with Entra ID tokens from a local issuer.
 */

const AUDIENCE = 'api://companion-manage-e2e';
const API_KEY = 'e2e_bootstrap_key_0123456789abcdef';
const ADMIN_TOKEN = 'e2e_dev_admin_token_0123456789abcdef';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'companion-e2e-'));
let issuer: FakeEntraIssuer;
let service: ServiceProcess;

function env(): Record<string, string> {
  return {
    COMPANION_DATA_DIR: dataDir,
    COMPANION_BOOTSTRAP_API_KEY: API_KEY,
    COMPANION_DEV_ADMIN_TOKEN: ADMIN_TOKEN,
    MANAGE_AUTH_ISSUER: issuer.issuer,
    MANAGE_AUTH_AUDIENCE: AUDIENCE,
  };
}

async function call(
  method: string,
  route: string,
  options: { apiKey?: string; bearer?: string; body?: unknown; rawBody?: string } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (options.apiKey !== undefined) headers['x-api-key'] = options.apiKey;
  if (options.bearer !== undefined) headers['authorization'] = `Bearer ${options.bearer}`;
  if (options.body !== undefined || options.rawBody !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${service.url}${route}`, {
    method,
    headers,
    body: options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

beforeAll(async () => {
  issuer = await startFakeEntraIssuer();
  service = await startServiceProcess(env());
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await issuer?.close();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('npm start: the local service over HTTP', () => {
  it('prints the bootstrap organization, project and API key, and the key works', async () => {
    expect(service.output()).toContain(`API key       ${API_KEY}`);
    const res = await call('GET', '/public/project', { apiKey: API_KEY });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      project: { id: expect.stringMatching(/^proj_/), name: 'Default' },
      organization: { id: expect.stringMatching(/^org_/), name: 'Local' },
    });
  });

  it('answers health with both dependencies checked', async () => {
    const res = await call('GET', '/health');
    expect(res).toMatchObject({ status: 200, body: { status: 'ok', checks: { storage: 'ok', cosmos: 'ok' } } });
  });

  it('describes every route in /openapi.json', async () => {
    const res = await call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body['openapi']).toMatch(/^3\.1/);
    const paths = Object.keys(res.body['paths'] as object);
    expect(paths).toEqual(
      expect.arrayContaining(['/health', '/public/project', '/manage/me', '/manage/projects/{projectId}/api-keys']),
    );
  });

  it('refuses missing and unknown API keys with problem+json InvalidApiKey', async () => {
    for (const apiKey of [undefined, 'cmp_not_a_real_key_at_all_1234567890']) {
      const res = await call('GET', '/public/project', apiKey === undefined ? {} : { apiKey });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body['code']).toBe('InvalidApiKey');
    }
  });

  it('answers bad input with clear problems: malformed JSON, unknown fields, oversized bodies, unknown routes', async () => {
    const malformed = await call('POST', '/manage/orgs/org_local/projects', { bearer: ADMIN_TOKEN, rawBody: '{"name":' });
    expect(malformed).toMatchObject({ status: 400, body: { code: 'MalformedJson' } });

    const unknownField = await call('POST', '/manage/orgs/org_local/projects', { bearer: ADMIN_TOKEN, body: { name: 'x', colour: 'red' } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body['code']).toBe('ValidationFailed');
    expect(unknownField.body['errors']).toEqual([expect.objectContaining({ path: 'colour' })]);

    const huge = await call('POST', '/manage/orgs/org_local/projects', { bearer: ADMIN_TOKEN, body: { name: 'x'.repeat(2_000_000) } });
    expect(huge).toMatchObject({ status: 413, body: { code: 'PayloadTooLarge' } });

    const missing = await call('GET', '/no/such/route');
    expect(missing).toMatchObject({ status: 404, body: { code: 'NotFound' } });
    const wrongMethod = await call('DELETE', '/health');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });

  it('answers an oversized upload with 413 while the client is still sending, and the upload completes', async () => {
    const body = Buffer.from(JSON.stringify({ name: 'x'.repeat(2_000_000) }));
    const agent = new http.Agent({ keepAlive: true });
    const outcome = await new Promise<{ status: number; uploadFinished: boolean }>((resolve, reject) => {
      const req = http.request(`${service.url}/manage/orgs/org_local/projects`, {
        agent,
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', 'content-length': body.length },
      });
      let status = 0;
      let uploadFinished = false;
      let answered = false;
      const settle = (): void => {
        if (answered && uploadFinished) resolve({ status, uploadFinished });
      };
      req.on('response', (res) => {
        status = res.statusCode ?? 0;
        res.resume();
        res.on('end', () => {
          answered = true;
          // Send the rest only after the answer, as a slow client would.
          req.end(body.subarray(300_000));
          settle();
        });
      });
      req.on('finish', () => {
        uploadFinished = true;
        settle();
      });
      req.on('error', reject);
      req.write(body.subarray(0, 300_000));
    });
    agent.destroy();
    expect(outcome).toEqual({ status: 413, uploadFinished: true });
  });

  it('lets an admin create a project and a key that sees only its own project; revocation holds on the next request', async () => {
    const project = await call('POST', '/manage/orgs/org_local/projects', { bearer: ADMIN_TOKEN, body: { name: 'Staging' } });
    expect(project.status).toBe(201);
    const projectId = project.body['id'] as string;
    expect(project.headers.get('location')).toContain(projectId);

    const key = await call('POST', `/manage/projects/${projectId}/api-keys`, {
      bearer: ADMIN_TOKEN,
      body: { name: 'staging', llm: { hosting: 'custom', endpoint: 'https://example.openai.azure.com', deployment: 'gpt-4o', apiKey: 'customer-llm-secret' } },
    });
    expect(key.status).toBe(201);
    const secret = key.body['secret'] as string;
    expect(JSON.stringify(key.body)).not.toContain('customer-llm-secret');

    const own = await call('GET', '/public/project', { apiKey: secret });
    expect(own.body['project']).toEqual({ id: projectId, name: 'Staging' });

    const listed = await call('GET', `/manage/projects/${projectId}/api-keys`, { bearer: ADMIN_TOKEN });
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(JSON.stringify(listed.body)).not.toContain('customer-llm-secret');
    expect(listed.body['items']).toEqual([expect.objectContaining({ id: key.body['id'], last4: secret.slice(-4), hosting: 'custom' })]);

    const revoked = await call('DELETE', `/manage/projects/${projectId}/api-keys/${key.body['id'] as string}`, { bearer: ADMIN_TOKEN });
    expect(revoked.status).toBe(204);
    const after = await call('GET', '/public/project', { apiKey: secret });
    expect(after).toMatchObject({ status: 401, body: { code: 'InvalidApiKey' } });
  });

  it('gives an Entra member what members may have and 403 on admin-only calls; strangers see nothing', async () => {
    const added = await call('POST', '/manage/orgs/org_local/members', {
      bearer: ADMIN_TOKEN,
      body: { userId: 'member-oid-1', email: 'member@example.com', role: 'member' },
    });
    expect(added.status).toBe(201);
    const memberToken = await issuer.issueUserToken({ oid: 'member-oid-1', audience: AUDIENCE, email: 'member@example.com' });

    const me = await call('GET', '/manage/me', { bearer: memberToken });
    expect(me.status).toBe(200);
    expect(me.body['memberships']).toEqual([expect.objectContaining({ role: 'member' })]);
    expect((await call('GET', '/manage/orgs/org_local/projects', { bearer: memberToken })).status).toBe(200);

    for (const [method, route, body] of [
      ['POST', '/manage/orgs/org_local/projects', { name: 'Nope' }],
      ['PATCH', '/manage/orgs/org_local', { name: 'Renamed' }],
      ['GET', '/manage/projects/proj_local/api-keys', undefined],
      ['POST', '/manage/projects/proj_local/api-keys', { name: 'k', llm: { hosting: 'hosted' } }],
      ['POST', '/manage/orgs/org_local/members', { userId: 'someone', role: 'admin' }],
    ] as const) {
      const res = await call(method, route, { bearer: memberToken, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${route}`).toBe(403);
      expect(res.body['code']).toBe('Forbidden');
    }

    const strangerToken = await issuer.issueUserToken({ oid: 'stranger', audience: AUDIENCE });
    expect((await call('GET', '/manage/orgs/org_local/projects', { bearer: strangerToken })).status).toBe(404);
    const forged = await issuer.issueUserToken({ oid: 'member-oid-1', audience: AUDIENCE, signWithUnpublishedKey: true });
    expect((await call('GET', '/manage/me', { bearer: forged })).status).toBe(401);
  });

  it('checks function parameters as JSON Schema in the bundled app and assembles an agent from a stock companion', async () => {
    const invalid = await call('POST', '/public/functions', {
      apiKey: API_KEY,
      body: { data: { name: 'lookup', parameters: { type: 'nonsense' } }, flow: 'implicit' },
    });
    expect(invalid).toMatchObject({ status: 400, body: { code: 'ValidationFailed', errors: [{ path: 'data.parameters.type' }] } });
    const fn = await call('POST', '/public/functions', {
      apiKey: API_KEY,
      body: { data: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } }, flow: 'implicit' },
    });
    expect(fn.status).toBe(201);
    const stock = await call('GET', '/public/companions/stock?pageSize=1', { apiKey: API_KEY });
    const companionId = (stock.body['items'] as { id: string }[])[0]!.id;
    const agent = await call('POST', '/public/agents', { apiKey: API_KEY, body: { companionId, name: 'Desk', voiceId: 'alloy', functions: [fn.body['id']] } });
    expect(agent).toMatchObject({ status: 201, body: { companionId, functions: [fn.body['id']] } });
    const inUse = await call('DELETE', `/public/functions/${fn.body['id'] as string}`, { apiKey: API_KEY });
    expect(inUse).toMatchObject({ status: 409, body: { code: 'FunctionInUse' } });
  });

  it('keeps every document and the bootstrap secrets across a graceful restart', async () => {
    const project = await call('POST', '/manage/orgs/org_local/projects', { bearer: ADMIN_TOKEN, body: { name: 'Survivor' } });
    const key = await call('POST', `/manage/projects/${project.body['id'] as string}/api-keys`, {
      bearer: ADMIN_TOKEN,
      body: { name: 'survivor', llm: { hosting: 'hosted' } },
    });
    const secret = key.body['secret'] as string;

    expect(await service.stop('SIGTERM')).toBe(0);
    service = await startServiceProcess(env());

    expect((await call('GET', '/public/project', { apiKey: API_KEY })).status).toBe(200);
    const survived = await call('GET', '/public/project', { apiKey: secret });
    expect(survived.body['project']).toEqual({ id: project.body['id'], name: 'Survivor' });
    const projects = await call('GET', '/manage/orgs/org_local/projects', { bearer: ADMIN_TOKEN });
    expect((projects.body['items'] as { name: string }[]).map((p) => p.name)).toEqual(
      expect.arrayContaining(['Default', 'Staging', 'Survivor']),
    );
  }, 120_000);
});

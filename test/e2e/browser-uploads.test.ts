import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceProcess, type ServiceProcess } from '../../local/service-process.js';

/**
 * `npm start` lets the dashboard's browser PUT uploads straight to the upload URLs, which point at the Azurite it
 * started: that Azurite answers the CORS preflight from the service's own origins (local/stack.ts).
 */

const API_KEY = 'e2e_uploads_key_0123456789abcdef';
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'companion-e2e-uploads-'));
let service: ServiceProcess;

beforeAll(async () => {
  service = await startServiceProcess({ COMPANION_DATA_DIR: dataDir, COMPANION_BOOTSTRAP_API_KEY: API_KEY });
}, 120_000);

afterAll(async () => {
  await service?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

async function post(route: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${service.url}${route}`, {
    method: 'POST',
    headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, route).toBe(201);
  return (await response.json()) as Record<string, unknown>;
}

describe('npm start: browser uploads to the local storage', () => {
  it('answers the preflight of a PUT to an upload URL from the service’s origin, and the PUT exposes its ETag', async () => {
    const companion = await post('/public/companions', { description: 'Uploaded from a browser', uploads: ['picture'] });
    const ticket = await post(`/public/companions/${companion['id'] as string}/uploads`, { kind: 'picture', fileName: 'p.png', contentType: 'image/png', size: 4 });
    const uploadUrl = ticket['uploadUrl'] as string;
    const port = new URL(service.url).port;
    for (const origin of [`http://localhost:${port}`, `http://127.0.0.1:${port}`]) {
      const preflight = await fetch(uploadUrl, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type,x-ms-blob-type' },
      });
      expect(preflight.status, origin).toBe(200);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
      expect(preflight.headers.get('access-control-allow-methods')).toBe('PUT');
    }
    const other = await fetch(uploadUrl, { method: 'OPTIONS', headers: { origin: 'http://elsewhere.example', 'access-control-request-method': 'PUT' } });
    expect(other.status).toBe(403);

    const put = await fetch(uploadUrl, {
      method: 'PUT',
      headers: { ...(ticket['headers'] as Record<string, string>), origin: `http://localhost:${port}` },
      body: Buffer.from('not a picture'),
    });
    expect(put.status).toBe(201);
    expect(put.headers.get('access-control-allow-origin')).toBe(`http://localhost:${port}`);
    expect(put.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('etag');
  });
});

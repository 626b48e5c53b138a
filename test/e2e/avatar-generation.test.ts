import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceProcess, type ServiceProcess } from '../../local/service-process.js';
import { waitFor } from '../fixtures/host-app/wait-for.js';

/**
 * Avatar generation as a user sees it from `npm start`: the local host serves the real registrations, polls the
 * `avatar-generation` queue the intake writes to, and serves the views and stock previews over HTTP.
 */

const API_KEY = 'e2e_avatar_key_0123456789abcdef';
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'companion-e2e-avatar-'));
let service: ServiceProcess;

const get = (route: string, headers: Record<string, string> = {}) => fetch(`${service.url}${route}`, { headers: { 'x-api-key': API_KEY, ...headers } });

beforeAll(async () => {
  service = await startServiceProcess({ COMPANION_DATA_DIR: dataDir, COMPANION_BOOTSTRAP_API_KEY: API_KEY });
}, 120_000);

afterAll(async () => {
  await service?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('npm start: avatar generation and assets over HTTP', () => {
  it('a companion created without media completes with generated views that its previewUrl serves', async () => {
    const created = await fetch(`${service.url}/public/companions`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'A cheerful museum guide with a beard', firstName: 'Theo', gender: 'male', ethnicity: 'Caucasian' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const done = await waitFor(
      async () => {
        const companion = (await (await get(`/public/companions/${id}`)).json()) as { status: string; previewUrl?: string; avatar: { views: Record<string, { url: string }> } };
        return companion.status === 'completed' ? companion : undefined;
      },
      'the companion to complete',
      30_000,
      200,
    );
    expect(done.previewUrl).toBe(`/public/companions/${id}/assets/rectangle`);

    const preview = await get(done.previewUrl!);
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/jpeg');
    expect(preview.headers.get('cache-control')).toBe('private, max-age=300');
    const image = await sharp(Buffer.from(await preview.arrayBuffer())).metadata();
    expect([image.format, image.width, image.height]).toEqual(['jpeg', 1280, 720]);

    const again = await get(done.avatar.views.round!.url, { 'if-none-match': (await get(done.avatar.views.round!.url)).headers.get('etag')! });
    expect(again.status).toBe(304);
  }, 60_000);

  it('serves stock previews beside companion assets (route precedence in the local host)', async () => {
    const preview = await get('/public/companions/stock/comp_stock-mei/preview');
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/png');
    expect((await sharp(Buffer.from(await preview.arrayBuffer())).metadata()).width).toBe(1920);
    const missing = await get('/public/companions/comp_nothinghere/assets/round');
    expect(missing.status).toBe(404);
  });
});

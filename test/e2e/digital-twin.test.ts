import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceProcess, type ServiceProcess } from '../../local/service-process.js';
import { waitFor } from '../fixtures/host-app/wait-for.js';
import { makeImage, makeWav } from '../support/media-fixtures.js';

/**
 * A digital twin as a user creates one against `npm start`: consent from an admin, media fetched from public URLs
 * (a loopback server here, which COMPANION_ALLOW_PRIVATE_URLS=1 permits), checked, and the twin becoming ready.
 */

const API_KEY = 'e2e_twin_key_0123456789abcdefgh';
const ADMIN = 'e2e_twin_admin_0123456789abcdefgh';
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'companion-e2e-twin-'));
const files = new Map<string, Buffer>();
let media: http.Server;
let mediaUrl = '';
let service: ServiceProcess;

async function call(method: string, route: string, body?: unknown, auth: 'key' | 'admin' = 'key'): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = auth === 'key' ? { 'x-api-key': API_KEY } : { authorization: `Bearer ${ADMIN}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${service.url}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const twin = (externalClientId: string, voice: string): Record<string, unknown> => ({
  firstName: 'Sarah',
  lastName: 'Johnson',
  description: 'VP of Customer Success. Confident, warm and knowledgeable.',
  gender: 'female',
  ethnicity: 'Caucasian',
  voiceUrl: `${mediaUrl}/${voice}`,
  pictureUrl: `${mediaUrl}/portrait.jpg`,
  externalClientId,
});

beforeAll(async () => {
  files.set('portrait.jpg', await makeImage({ width: 1920, height: 1080, format: 'jpeg' }));
  files.set('voice-90s.wav', makeWav({ seconds: 90 }));
  files.set('voice-45s.wav', makeWav({ seconds: 45 }));
  media = http.createServer((req, res) => {
    const file = files.get((req.url ?? '').slice(1));
    res.writeHead(file ? 200 : 404, { 'content-type': 'application/octet-stream' });
    res.end(file);
  });
  await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', () => resolve()));
  const address = media.address();
  mediaUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  service = await startServiceProcess({
    COMPANION_DATA_DIR: dataDir,
    COMPANION_BOOTSTRAP_API_KEY: API_KEY,
    COMPANION_DEV_ADMIN_TOKEN: ADMIN,
    COMPANION_ALLOW_PRIVATE_URLS: '1',
  });
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await new Promise<void>((resolve) => media?.close(() => resolve()));
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('npm start: digital twins', () => {
  it('refuses a twin until an admin consents, then the twin becomes ready from its fetched voice and picture', async () => {
    const refused = await call('POST', '/public/digital-twins', twin('sarah-001', 'voice-90s.wav'));
    expect(refused).toMatchObject({ status: 403, body: { code: 'DigitalTwinConsentRequired' } });

    expect((await call('PUT', '/manage/orgs/org_local/digital-twin-consent', { granted: true }, 'admin')).status).toBe(200);
    const created = await call('POST', '/public/digital-twins', twin('sarah-001', 'voice-90s.wav'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ personaType: 'digitalTwin', firstName: 'Sarah', externalClientId: 'sarah-001' });
    const id = created.body['id'] as string;

    const done = await waitFor(
      async () => {
        const { body } = await call('GET', `/public/companions/${id}`);
        if (body['status'] === 'failed') throw new Error(`twin failed: ${JSON.stringify(body)}`);
        return body['status'] === 'completed' ? body : undefined;
      },
      'the twin to complete',
      45_000,
      250,
    );
    expect(done['voice']).toMatchObject({ status: 'ready' });
    expect(Object.keys((done['avatar'] as { views: object }).views).sort()).toEqual(['rectangle', 'round']);

    const listed = await call('GET', '/public/companions?personaType=digitalTwin');
    expect((listed.body['items'] as { id: string }[]).map((c) => c.id)).toContain(id);

    const duplicate = await call('POST', '/public/digital-twins', twin('sarah-001', 'voice-90s.wav'));
    expect(duplicate).toMatchObject({ status: 409, body: { code: 'DigitalTwinAlreadyExists' } });
  }, 90_000);

  it('fails a twin whose voice sample is 45 s long with VoiceSampleTooShort', async () => {
    const created = await call('POST', '/public/digital-twins', twin('short-voice', 'voice-45s.wav'));
    expect(created.status).toBe(201);
    const failed = await waitFor(
      async () => {
        const { body } = await call('GET', `/public/companions/${created.body['id'] as string}`);
        return body['status'] === 'failed' ? body : undefined;
      },
      'the twin to fail',
      45_000,
      250,
    );
    expect(failed['failureReason']).toBe('VoiceSampleTooShort');
  }, 90_000);

  it('refuses metadata and private addresses with UrlNotAllowed even with loopback allowed', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data', 'https://10.1.2.3/voice.wav']) {
      const res = await call('POST', '/public/digital-twins', { ...twin('blocked', 'voice-90s.wav'), voiceUrl: url });
      expect(res, url).toMatchObject({ status: 400, body: { code: 'UrlNotAllowed' } });
    }
  });
});

import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import sharp from 'sharp';
import { z } from 'zod';

/**
 * A local stand-in for a remote avatar rendering service, speaking the protocol of the HTTP avatar engine adapter:
 * it takes signed job submissions (POST JSON), fetches the source media from its short-lived URL, renders round,
 * rectangle and silhouette views with sharp (it "removes backgrounds", which the local engine cannot), and posts a
 * signed report to the job's callback URL. It signs and verifies with its own HMAC code, so a mistake in the
 * service's signing code is not mirrored here.
 */

export type FakeEngineOutcome = 'succeed' | 'fail';
export type FakeEngineSigning = 'valid' | 'wrongSecret' | 'stale' | 'none';
export type FakeEngineDelivery = 'inline' | 'url';

export interface FakeAvatarEngineBehaviour {
  outcome: FakeEngineOutcome;
  signing: FakeEngineSigning;
  delivery: FakeEngineDelivery;
  /** Hold reports until `deliver(jobId)` is called, instead of sending them right after the submission. */
  hold: boolean;
}

export interface SubmittedJob {
  readonly jobId: string;
  readonly companionId: string;
  readonly signatureValid: boolean;
  readonly body: z.infer<typeof submissionSchema>;
  /** Bytes read from the source URL (undefined without a source). */
  readonly sourceBytes: number | undefined;
}

export interface CallbackAttempt {
  readonly jobId: string;
  readonly signing: FakeEngineSigning;
  readonly status: number;
  readonly body: unknown;
}

export interface FakeAvatarEngine {
  /** Where jobs are submitted: AVATAR_ENGINE_URL. */
  readonly url: string;
  readonly behaviour: FakeAvatarEngineBehaviour;
  readonly submissions: SubmittedJob[];
  readonly callbacks: CallbackAttempt[];
  /** Sends (or sends again) the report of a submitted job, with the current behaviour; returns the service's answer. */
  deliver(jobId: string, overrides?: Partial<FakeAvatarEngineBehaviour>): Promise<CallbackAttempt>;
  close(): Promise<void>;
}

const submissionSchema = z.object({
  jobId: z.string(),
  companionId: z.string(),
  version: z.string(),
  profile: z.object({ description: z.string() }).loose(),
  source: z.object({ kind: z.string(), contentType: z.string(), url: z.string(), expiresAt: z.string() }).nullable(),
  views: z.array(z.string()),
  callbackUrl: z.string(),
});

const sign = (secret: string, timestamp: number, body: string): string =>
  `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

function verify(secret: string, timestamp: string | undefined, signature: string | undefined, body: string): boolean {
  if (timestamp === undefined || signature === undefined) return false;
  const expected = Buffer.from(sign(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) && Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300;
}

interface RenderedView {
  readonly contentType: 'image/png' | 'image/jpeg';
  readonly width: number;
  readonly height: number;
  readonly bytes: Buffer;
}

async function render(source: Buffer | undefined): Promise<Record<'round' | 'rectangle' | 'silhouette', RenderedView>> {
  const base = source ?? (await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#6a8fd0' } }).png().toBuffer());
  const round = await sharp(base).resize(512, 512, { fit: 'cover', position: 'north' }).png().toBuffer();
  const rectangle = await sharp(base).resize(1280, 720, { fit: 'cover' }).jpeg({ quality: 80 }).toBuffer();
  // "Background removed": the picture's centre kept on a transparent canvas.
  const figure = await sharp(base).resize(640, 720, { fit: 'cover' }).png().toBuffer();
  const silhouette = await sharp({ create: { width: 1280, height: 720, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([{ input: figure, left: 320, top: 0 }])
    .png()
    .toBuffer();
  return {
    round: { contentType: 'image/png', width: 512, height: 512, bytes: round },
    rectangle: { contentType: 'image/jpeg', width: 1280, height: 720, bytes: rectangle },
    silhouette: { contentType: 'image/png', width: 1280, height: 720, bytes: silhouette },
  };
}

export async function startFakeAvatarEngine(secret: string, initial: Partial<FakeAvatarEngineBehaviour> = {}): Promise<FakeAvatarEngine> {
  const behaviour: FakeAvatarEngineBehaviour = { outcome: 'succeed', signing: 'valid', delivery: 'inline', hold: false, ...initial };
  const submissions: SubmittedJob[] = [];
  const callbacks: CallbackAttempt[] = [];
  const rendered = new Map<string, Promise<Record<'round' | 'rectangle' | 'silhouette', RenderedView>>>();
  let baseUrl = '';

  async function report(job: SubmittedJob, current: FakeAvatarEngineBehaviour): Promise<string> {
    if (current.outcome === 'fail') {
      return JSON.stringify({ jobId: job.jobId, status: 'failed', error: { code: 'NoFaceDetected', message: 'No face was found in the source picture.' } });
    }
    const views = await rendered.get(job.jobId)!;
    return JSON.stringify({
      jobId: job.jobId,
      status: 'succeeded',
      views: Object.fromEntries(
        Object.entries(views).map(([name, view]) => [
          name,
          {
            contentType: view.contentType,
            width: view.width,
            height: view.height,
            ...(current.delivery === 'inline' ? { data: view.bytes.toString('base64') } : { url: `${baseUrl}/views/${encodeURIComponent(job.jobId)}/${name}` }),
          },
        ]),
      ),
      warnings: [{ code: 'EngineNote', message: 'Rendered by the fake engine.' }],
    });
  }

  async function deliver(jobId: string, overrides: Partial<FakeAvatarEngineBehaviour> = {}): Promise<CallbackAttempt> {
    const job = submissions.find((s) => s.jobId === jobId);
    if (job === undefined) throw new Error(`no job ${jobId}`);
    const current = { ...behaviour, ...overrides };
    const body = await report(job, current);
    const now = Math.floor(Date.now() / 1000);
    const timestamp = current.signing === 'stale' ? now - 6 * 60 : now;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (current.signing !== 'none') {
      headers['x-engine-timestamp'] = String(timestamp);
      headers['x-engine-signature'] = sign(current.signing === 'wrongSecret' ? `${secret}-not` : secret, timestamp, body);
    }
    const response = await fetch(job.body.callbackUrl, { method: 'POST', headers, body });
    const text = await response.text();
    const attempt: CallbackAttempt = { jobId, signing: current.signing, status: response.status, body: text === '' ? undefined : JSON.parse(text) };
    callbacks.push(attempt);
    return attempt;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', baseUrl);
        const viewMatch = /^\/views\/([^/]+)\/(round|rectangle|silhouette)$/.exec(url.pathname);
        if (req.method === 'GET' && viewMatch !== null) {
          const views = await rendered.get(decodeURIComponent(viewMatch[1]!));
          const view = views?.[viewMatch[2] as 'round' | 'rectangle' | 'silhouette'];
          if (view === undefined) {
            res.writeHead(404).end();
            return;
          }
          res.writeHead(200, { 'content-type': view.contentType, 'content-length': view.bytes.length }).end(view.bytes);
          return;
        }
        if (req.method !== 'POST' || url.pathname !== '/jobs') {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
          return;
        }
        const text = Buffer.concat(chunks).toString('utf8');
        const signatureValid = verify(secret, header(req, 'x-engine-timestamp'), header(req, 'x-engine-signature'), text);
        if (!signatureValid) {
          res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'bad signature' }));
          return;
        }
        const parsed = submissionSchema.safeParse(JSON.parse(text));
        if (!parsed.success) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: parsed.error.message }));
          return;
        }
        const known = submissions.some((s) => s.jobId === parsed.data.jobId);
        let sourceBytes: number | undefined;
        let source: Buffer | undefined;
        if (!known && parsed.data.source !== null) {
          const fetched = await fetch(parsed.data.source.url);
          if (!fetched.ok) {
            res.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `source unreadable: ${fetched.status}` }));
            return;
          }
          source = Buffer.from(await fetched.arrayBuffer());
          sourceBytes = source.length;
        }
        // A repeated submission of a known job is accepted again and renders nothing new.
        res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ jobId: parsed.data.jobId, status: 'accepted' }));
        if (known) return;
        const job: SubmittedJob = { jobId: parsed.data.jobId, companionId: parsed.data.companionId, signatureValid, body: parsed.data, sourceBytes };
        submissions.push(job);
        rendered.set(job.jobId, render(source));
        if (!behaviour.hold) setTimeout(() => void deliver(job.jobId).catch(() => undefined), 10);
      })().catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(err));
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;

  return {
    url: `${baseUrl}/jobs`,
    behaviour,
    submissions,
    callbacks,
    deliver,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

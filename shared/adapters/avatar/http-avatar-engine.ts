import { z } from 'zod';
import {
  AvatarJobRejectedError,
  type AvatarEngine,
  type AvatarEngineCallback,
  type AvatarJob,
  type AvatarJobCompletion,
  type RenderedAvatar,
} from '../../domain/avatar-engine.js';
import type { Clock } from '../../domain/clock.js';
import { avatarViewNameSchema, type AvatarViewName } from '../../domain/companion.js';
import type { CompanionAssetStore } from '../../domain/companion-asset-store.js';
import { BadRequestError, UnauthorizedError, ValidationError, type FieldProblem } from '../../domain/errors.js';
import type { ImageAsset } from '../../domain/media/media-inspector.js';
import type { GuardedFetcher } from '../../domain/outbound.js';
import { loadSharp } from '../media/media-libraries.js';
import { ENGINE_SIGNATURE_HEADER, ENGINE_TIMESTAMP_HEADER, checkEngineSignature, engineSignature } from './engine-signature.js';

export interface HttpAvatarEngineOptions {
  /** Where jobs are submitted (POST). */
  readonly engineUrl: string;
  /** Signs submissions and verifies callbacks. Never logged. */
  readonly secret: string;
  /** This service's public address; the callback URL is built from it. */
  readonly publicBaseUrl: string;
  readonly assets: CompanionAssetStore;
  /** Fetches view images the engine reports by URL. */
  readonly fetcher: GuardedFetcher;
  readonly clock: Clock;
  /** How long the engine may use the source media URL; it should cover the engine's queue time. */
  readonly sourceUrlValidForSeconds?: number;
  readonly submitTimeoutMs?: number;
}

/** A view image the engine returns: at most this large, and of sensible dimensions. */
const MAX_VIEW_BYTES = 8 * 1024 * 1024;
const VIEW_FETCH_TIMEOUT_MS = 30_000;

const viewReport = z
  .object({
    contentType: z.enum(['image/png', 'image/jpeg']),
    width: z.number().int().min(16).max(4096),
    height: z.number().int().min(16).max(4096),
    data: z.base64().max(Math.ceil((MAX_VIEW_BYTES * 4) / 3) + 4).optional().describe('the image, base64'),
    url: z.url({ protocol: /^https?$/ }).max(4096).optional().describe('where to fetch the image'),
  })
  .refine((v) => (v.data === undefined) !== (v.url === undefined), { message: 'give exactly one of data and url' });

const warningReport = z.object({ code: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/), message: z.string().min(1).max(500) });

/** The callback body: the engine's report for one job. */
export const avatarEngineCallbackSchema = z.discriminatedUnion('status', [
  z.object({
    jobId: z.string().min(1).max(300),
    status: z.literal('succeeded'),
    views: z
      .object({ round: viewReport.optional(), rectangle: viewReport.optional(), silhouette: viewReport.optional() })
      .refine((views) => Object.values(views).some((v) => v !== undefined), { message: 'must hold at least one view' }),
    absent: z.partialRecord(avatarViewNameSchema, z.string().min(1).max(500)).optional(),
    warnings: z.array(warningReport).max(10).optional(),
  }),
  z.object({
    jobId: z.string().min(1).max(300),
    status: z.literal('failed'),
    error: z.object({ code: z.string().min(1).max(100), message: z.string().max(1000) }),
  }),
]);
export type AvatarEngineCallbackBody = z.infer<typeof avatarEngineCallbackSchema>;

/** The submission body; the fake engine in the tests parses it with this schema too. */
export const avatarEngineSubmissionSchema = z.object({
  jobId: z.string(),
  companionId: z.string(),
  version: z.enum(['v1', 'v2']),
  profile: z.object({ description: z.string(), gender: z.string().optional(), ethnicity: z.string().optional() }),
  source: z.object({ kind: z.enum(['picture', 'video']), contentType: z.string(), url: z.string(), expiresAt: z.string() }).nullable(),
  views: z.array(avatarViewNameSchema),
  callbackUrl: z.string(),
});
export type AvatarEngineSubmission = z.infer<typeof avatarEngineSubmissionSchema>;

function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

const SHARP_FORMAT_OF: Readonly<Record<ImageAsset['mimeType'], string>> = { 'image/png': 'png', 'image/jpeg': 'jpeg' };

/**
 * The avatar engine adapter for a remote rendering service (AVATAR_ENGINE_URL). A job is submitted as signed JSON
 * with a short-lived read URL of the source media and a callback URL; the service later posts its signed report
 * there, with the view images inline (base64) or by URL. Every image is decoded here before it is accepted, so a
 * report can never store something that is not the image it claims to be.
 */
export function createHttpAvatarEngine(options: HttpAvatarEngineOptions): AvatarEngine {
  const sourceUrlValidForSeconds = options.sourceUrlValidForSeconds ?? 60 * 60;
  const submitTimeoutMs = options.submitTimeoutMs ?? 15_000;
  const callbackBase = options.publicBaseUrl.replace(/\/+$/, '');
  const nowSeconds = () => Math.floor(options.clock.now().getTime() / 1000);

  async function submission(job: AvatarJob): Promise<AvatarEngineSubmission> {
    let source: AvatarEngineSubmission['source'] = null;
    if (job.source !== undefined) {
      const info = await options.assets.info(job.source.blobPath);
      // Accepted media is in storage before the job is queued; missing now is a race worth retrying.
      if (info === undefined) throw new Error('the accepted source media is not in storage');
      source = {
        kind: job.source.kind,
        contentType: info.contentType,
        url: await options.assets.readUrl(job.source.blobPath, sourceUrlValidForSeconds),
        expiresAt: new Date(options.clock.now().getTime() + sourceUrlValidForSeconds * 1000).toISOString(),
      };
    }
    return {
      jobId: job.id,
      companionId: job.companionId,
      version: job.version,
      profile: job.profile,
      source,
      views: ['round', 'rectangle', 'silhouette'],
      callbackUrl: `${callbackBase}/callbacks/avatar-engine/${encodeURIComponent(job.id)}`,
    };
  }

  async function imageOf(view: AvatarViewName, report: z.infer<typeof viewReport>): Promise<ImageAsset> {
    let bytes: Buffer;
    if (report.data !== undefined) {
      bytes = Buffer.from(report.data, 'base64');
    } else {
      // The engine is trusted, its URLs still are not: they go through the same guard as tenants' URLs.
      const response = await options.fetcher.fetch(report.url!, { maxBytes: MAX_VIEW_BYTES, timeoutMs: VIEW_FETCH_TIMEOUT_MS });
      if (response.status !== 200) {
        throw new BadRequestError('EngineViewUnavailable', `The ${view} view could not be fetched from its URL (status ${response.status}).`);
      }
      bytes = response.body;
    }
    if (bytes.length === 0 || bytes.length > MAX_VIEW_BYTES) {
      throw new ValidationError([{ path: `views.${view}`, message: `must be 1 byte to ${MAX_VIEW_BYTES} bytes` }]);
    }
    const sharp = await loadSharp();
    let metadata;
    try {
      metadata = await sharp(bytes, { limitInputPixels: 4096 * 4096 }).metadata();
    } catch {
      throw new ValidationError([{ path: `views.${view}`, message: 'is not a readable image' }]);
    }
    if (metadata.format !== SHARP_FORMAT_OF[report.contentType] || metadata.width !== report.width || metadata.height !== report.height) {
      throw new ValidationError([
        {
          path: `views.${view}`,
          message: `is a ${metadata.format ?? 'unknown'} image of ${metadata.width ?? '?'}×${metadata.height ?? '?'}, not the ${report.contentType} of ${report.width}×${report.height} it claims`,
        },
      ]);
    }
    return { bytes, mimeType: report.contentType, width: report.width, height: report.height };
  }

  return {
    kind: 'remote',

    async start(job) {
      const body = JSON.stringify(await submission(job));
      const timestamp = nowSeconds();
      // The engine URL is the operator's own setting, not a tenant's input, so it is called directly rather than
      // through the guarded fetcher (which would refuse a rendering service on a private network).
      let response: Response;
      try {
        response = await fetch(options.engineUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [ENGINE_TIMESTAMP_HEADER]: String(timestamp),
            [ENGINE_SIGNATURE_HEADER]: engineSignature(options.secret, timestamp, body),
          },
          body,
          signal: AbortSignal.timeout(submitTimeoutMs),
        });
      } catch (err) {
        throw new Error('the avatar engine could not be reached', { cause: err });
      }
      const text = (await response.text().catch(() => '')).slice(0, 500);
      // 409: the engine has this job already (a repeated submission), which is what a retry wants.
      if (response.ok || response.status === 409) return { kind: 'submitted' };
      if (response.status === 400 || response.status === 422) {
        throw new AvatarJobRejectedError('AvatarEngineRejected', `The avatar rendering service refused the job: ${text || response.statusText}`);
      }
      throw new Error(`the avatar engine answered ${response.status}`);
    },

    async readCompletion(jobId: string, callback: AvatarEngineCallback): Promise<AvatarJobCompletion> {
      const check = checkEngineSignature(
        options.secret,
        callback.header(ENGINE_TIMESTAMP_HEADER),
        callback.header(ENGINE_SIGNATURE_HEADER),
        callback.body,
        nowSeconds(),
      );
      if (check !== 'valid') {
        throw new UnauthorizedError(
          'InvalidSignature',
          check === 'stale'
            ? `The callback timestamp is more than 5 minutes away from the current time.`
            : 'The callback is not signed with the engine secret (X-Engine-Timestamp, X-Engine-Signature).',
        );
      }
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(callback.body));
      } catch {
        throw new ValidationError([{ path: '', message: 'the callback body is not JSON' }]);
      }
      const parsed = avatarEngineCallbackSchema.safeParse(json);
      if (!parsed.success) throw new ValidationError(problemsOf(parsed.error));
      const report = parsed.data;
      if (report.jobId !== jobId) throw new ValidationError([{ path: 'jobId', message: 'does not match the job in the callback URL' }]);
      if (report.status === 'failed') return { jobId, ok: false, code: report.error.code, message: report.error.message };

      const views: RenderedAvatar['views'] = {};
      for (const [name, view] of Object.entries(report.views) as [AvatarViewName, z.infer<typeof viewReport> | undefined][]) {
        if (view !== undefined) views[name] = await imageOf(name, view);
      }
      return { jobId, ok: true, avatar: { views, absent: report.absent ?? {}, warnings: report.warnings ?? [] } };
    },
  };
}

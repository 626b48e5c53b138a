import { z } from 'zod';
import { avatarViewNameSchema } from '../../domain/companion.js';
import { idParam } from './common.js';

export const companionAssetParams = z.strictObject({
  id: idParam('companion id'),
  view: avatarViewNameSchema.describe('round, rectangle or silhouette'),
});

export const stockPreviewParams = z.strictObject({ id: idParam('stock companion id') });

export const avatarEngineCallbackParams = z.strictObject({
  jobId: z.string().regex(/^avjob_[A-Za-z0-9_-]{1,200}$/, 'is not an avatar job id').describe('the job id given at submission'),
});

export const avatarEngineCallbackResponse = z.object({
  jobId: z.string(),
  outcome: z.enum(['applied', 'alreadyApplied']).describe('alreadyApplied: a repeated report, which changed nothing'),
});

/** The media types of generated views and portraits. */
export const AVATAR_IMAGE_TYPES = ['image/png', 'image/jpeg'] as const;

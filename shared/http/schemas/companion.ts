import { z } from 'zod';
import {
  DEFAULT_AVATAR_VERSION,
  TAG_KEY_PATTERN,
  avatarVersionSchema,
  companionDescriptionSchema,
  companionHeadlineSchema,
  companionNameSchema,
  companionStatusSchema,
  genderSchema,
  mediaKindSchema,
  mediaStatusSchema,
  personaTypeSchema,
  tagsSchema,
  voiceProfileStatusSchema,
} from '../../domain/companion.js';
import { previewUrlOf, publicAvatarViewsOf } from '../../domain/companion-public-view.js';
import { ethnicitySchema } from '../../domain/ethnicities.js';
import { mediaUrlSchema } from '../../domain/media-url.js';
import { pageQueryShape } from '../pagination.js';
import { etagField, idParam, listQueryParam, timestamp } from './common.js';

export const companionPathParams = z.strictObject({ id: idParam('companion id') });

const tagFilter = z
  .string()
  .max(330)
  .refine((v) => TAG_KEY_PATTERN.test(v.slice(0, Math.max(0, v.indexOf(':')))), { message: 'must be key:value' })
  .transform((v) => {
    const colon = v.indexOf(':');
    return { key: v.slice(0, colon), value: v.slice(colon + 1) };
  });

export const listCompanionsQuery = z.strictObject({
  ...pageQueryShape,
  personaType: personaTypeSchema.optional().describe('companion or digitalTwin'),
  statuses: listQueryParam(companionStatusSchema, 5, true)
    .optional()
    .describe('any of these statuses: statuses[]=a&statuses[]=b, statuses=a&statuses=b or statuses=a,b'),
  gender: genderSchema.optional(),
  ethnicity: ethnicitySchema.optional(),
  search: z.string().trim().min(1).max(200).optional().describe('case-insensitive text in the names, headline or description'),
  tags: listQueryParam(tagFilter, 10, false)
    .optional()
    .describe('tags=key:value, repeated for several; a companion must carry every one'),
});

/**
 * `uploads` at creation: the media the client will send with `POST /public/companions/{id}/uploads` instead of giving
 * a URL. Each kind once; which kinds the companion takes (version, persona) is checked by the service.
 */
export const mediaUploadsField = z
  .array(mediaKindSchema)
  .max(3)
  .refine((kinds) => new Set(kinds).size === kinds.length, { message: 'must not name a kind twice' })
  .describe('media the client will upload with POST /public/companions/{id}/uploads instead of giving a URL');

export const createCompanionBody = z.strictObject({
  description: companionDescriptionSchema.describe('personality and role; the foundation of the agent’s instructions'),
  firstName: companionNameSchema.optional(),
  lastName: companionNameSchema.optional(),
  headline: companionHeadlineSchema.optional(),
  gender: genderSchema.optional(),
  ethnicity: ethnicitySchema.optional(),
  pictureUrl: mediaUrlSchema.optional().describe('reference image for the avatar (v1); 16:9, waist up, facing the camera'),
  videoUrl: mediaUrlSchema.optional().describe('reference video of the person speaking (v2)'),
  version: avatarVersionSchema.default(DEFAULT_AVATAR_VERSION),
  tags: tagsSchema.optional(),
  uploads: mediaUploadsField.optional(),
});

const fixedAtCreation = z
  .never({ error: 'is fixed at creation and cannot be changed' })
  .optional()
  .describe('fixed at creation; sending it is refused');

/** Appearance and identity fields are named so that sending one is refused with that reason, not as unknown. */
export const updateCompanionBody = z
  .strictObject({
    headline: companionHeadlineSchema.optional(),
    description: companionDescriptionSchema.optional(),
    tags: tagsSchema.optional().describe('replaces all tags'),
    firstName: companionNameSchema.optional(),
    lastName: companionNameSchema.optional(),
    gender: fixedAtCreation,
    ethnicity: fixedAtCreation,
    pictureUrl: fixedAtCreation,
    videoUrl: fixedAtCreation,
    voiceUrl: fixedAtCreation,
    version: fixedAtCreation,
    personaType: fixedAtCreation,
    externalClientId: fixedAtCreation,
  })
  .refine(
    (b) =>
      b.headline !== undefined ||
      b.description !== undefined ||
      b.tags !== undefined ||
      b.firstName !== undefined ||
      b.lastName !== undefined,
    { message: 'give at least one of headline, description, tags, firstName, lastName' },
  );

const mediaResponse = z.object({
  source: z.enum(['url', 'upload']),
  url: z.string().optional(),
  status: mediaStatusSchema,
  failureCode: z.string().optional().describe('why the check rejected the file, e.g. VoiceSampleTooShort'),
});

const storedAvatarView = z.object({ contentType: z.string(), width: z.number().int(), height: z.number().int() });
const avatarViewResponse = storedAvatarView.extend({
  url: z.string().describe('GET it with the API key: /public/companions/{id}/assets/{view}'),
});

/** The companion object of API.md. Internal fields (storage paths, project and organization) are dropped. */
const companionObject = z.object({
  id: z.string(),
  personaType: personaTypeSchema,
  firstName: z.string(),
  lastName: z.string(),
  description: z.string(),
  headline: z.string(),
  gender: genderSchema.optional(),
  ethnicity: z.string().optional(),
  version: avatarVersionSchema,
  tags: z.record(z.string(), z.string()),
  externalClientId: z.string().optional(),
  status: companionStatusSchema,
  failureReason: z.string().optional(),
  warnings: z.array(z.object({ code: z.string(), message: z.string() })).optional(),
  previewUrl: z.string().optional().describe('the route of the image to show first (the rectangle view, else the round one)'),
  avatar: z.object({
    views: z.object({
      round: avatarViewResponse.optional(),
      rectangle: avatarViewResponse.optional(),
      silhouette: avatarViewResponse.optional(),
    }),
  }),
  voice: z.object({ status: voiceProfileStatusSchema, failureReason: z.string().optional() }).optional(),
  media: z.object({
    picture: mediaResponse.optional(),
    video: mediaResponse.optional(),
    voice: mediaResponse.optional(),
  }),
  stock: z.literal(true).optional().describe('part of the read-only stock catalog'),
  created: timestamp,
  updated: timestamp,
  etag: etagField,
});

/**
 * Handlers reply with the companion as stored; each view gets the route that serves it on the way out (the same
 * mapping as publicCompanionOf, so webhook events say the same). The description shows the object clients receive.
 */
export const companionResponse = companionObject
  .extend({
    avatar: z.object({
      views: z.object({ round: storedAvatarView.optional(), rectangle: storedAvatarView.optional(), silhouette: storedAvatarView.optional() }),
    }),
  })
  .transform(({ previewUrl, avatar, ...rest }) => {
    const preview = previewUrlOf(rest.id, previewUrl, avatar.views);
    return { ...rest, ...(preview === undefined ? {} : { previewUrl: preview }), avatar: { views: publicAvatarViewsOf(rest.id, avatar.views) } };
  })
  .pipe(companionObject);

import { z } from 'zod';
import {
  DEFAULT_AVATAR_VERSION,
  avatarVersionSchema,
  companionDescriptionSchema,
  externalClientIdSchema,
  genderSchema,
  personNameSchema,
  tagsSchema,
} from '../../domain/companion.js';
import { ethnicitySchema } from '../../domain/ethnicities.js';
import { mediaUrlSchema } from '../../domain/media-url.js';
import { mediaUploadsField } from './companion.js';

/**
 * Seed `digital-twins.txt`: every identity field is required, a voice recording, and a likeness that suits `version`;
 * the recording and the likeness may be given by URL or declared in `uploads` (checked by the service).
 */
export const createDigitalTwinBody = z.strictObject({
  firstName: personNameSchema,
  lastName: personNameSchema,
  description: companionDescriptionSchema.describe('role, personality and communication style'),
  gender: genderSchema,
  ethnicity: ethnicitySchema,
  voiceUrl: mediaUrlSchema
    .optional()
    .describe('a recording of the person: mp3, wav, m4a, flac, ogg, webm or mp4, ≤ 10 MB, 60-300 s; required unless uploads has voice'),
  externalClientId: externalClientIdSchema.describe('your own unique id for the person; unique per project'),
  pictureUrl: mediaUrlSchema.optional().describe('reference image of the person; required for v1 unless uploads has picture'),
  videoUrl: mediaUrlSchema.optional().describe('reference video of the person speaking; required for v2 unless uploads has video'),
  version: avatarVersionSchema.default(DEFAULT_AVATAR_VERSION),
  tags: tagsSchema.optional(),
  uploads: mediaUploadsField.optional(),
});

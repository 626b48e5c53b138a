import { z } from 'zod';
import { mediaKindSchema } from '../../domain/companion.js';
import { timestamp } from './common.js';

/** A MIME type as RFC 6838 spells it (type/subtype, no parameters): it becomes the stored file's Content-Type. */
const contentTypeSchema = z
  .string()
  .max(127)
  .regex(/^[A-Za-z0-9][\w!#$&^.+-]{0,63}\/[A-Za-z0-9][\w!#$&^.+-]{0,63}$/, 'must be a MIME type such as audio/wav')
  .describe('the type the file will be sent with; the check sniffs the bytes and does not trust it');

export const createUploadBody = z.strictObject({
  kind: mediaKindSchema.describe('picture (v1 companions), video (v2) or voice (digital twins)'),
  fileName: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .refine((name) => ![...name].some((ch) => ch === '/' || ch === '\\' || ch.charCodeAt(0) < 0x20), {
      message: 'must be a file name without folders or control characters',
    })
    .describe('the name of the file on the client, for messages; the check does not trust it'),
  contentType: contentTypeSchema,
  size: z
    .number()
    .int()
    .positive()
    .describe(
      'bytes the client will send; over the kind’s limit (10 MB for picture and voice, 100 MB for video) the request fails with PictureTooLarge, VoiceSampleTooLarge or VideoTooLarge',
    ),
});

export const uploadTicketResponse = z.object({
  uploadUrl: z.string().describe('send the file here with a PUT; a secret until it expires, write-only, for this one file'),
  method: z.literal('PUT'),
  headers: z
    .object({ 'x-ms-blob-type': z.literal('BlockBlob'), 'content-type': z.string() })
    .describe('send these headers with the PUT'),
  expiresAt: timestamp.describe('the URL stops working at this time (15 minutes after the request)'),
  kind: mediaKindSchema,
  uploadId: z.string(),
});

import { z } from 'zod';
import { timestamp } from './common.js';

/** `{granted: true}`, or no body at all: both give consent. */
export const grantDigitalTwinConsentBody = z.strictObject({ granted: z.literal(true) }).optional();

export const digitalTwinConsentResponse = z.object({
  granted: z.boolean(),
  grantedBy: z.string().optional().describe('user id of the admin who gave consent'),
  grantedAt: timestamp.optional(),
});

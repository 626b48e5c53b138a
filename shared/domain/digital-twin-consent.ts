import { z } from 'zod';

/**
 * An organization admin's one-time consent to digital twins (seed `digital-twins.txt`: "An admin must enable digital
 * twins"), recorded with who gave it and when. Kept on the organization document.
 */
export const digitalTwinConsentSchema = z.object({
  grantedBy: z.string().describe('user id of the admin who gave consent'),
  grantedAt: z.string().describe('ISO 8601 UTC'),
});
export type DigitalTwinConsent = z.infer<typeof digitalTwinConsentSchema>;

import { z } from 'zod';
import { memberRoleSchema } from '../../domain/member.js';
import { organizationNameSchema, organizationSettingsSchema } from '../../domain/organization.js';
import { etagField, idParam, timestamp } from './common.js';

export const orgPathParams = z.strictObject({ orgId: idParam('organization id') });

export const organizationResponse = z.object({
  id: z.string(),
  name: z.string(),
  settings: organizationSettingsSchema,
  role: memberRoleSchema.describe("the caller's role in this organization"),
  memberId: z.string().describe("the caller's member id in this organization"),
  createdAt: timestamp,
  updatedAt: timestamp,
  etag: etagField,
});

export const updateOrganizationBody = z
  .strictObject({
    name: organizationNameSchema.optional(),
    settings: organizationSettingsSchema.partial().optional(),
  })
  .refine((b) => b.name !== undefined || b.settings !== undefined, { message: 'give name, settings or both' });

export const meResponse = z.object({
  user: z.object({
    id: z.string(),
    email: z.string().optional(),
    name: z.string().optional(),
    kind: z.enum(['entra', 'devAdmin']),
  }),
  memberships: z.array(
    z.object({
      organization: z.object({ id: z.string(), name: z.string() }),
      memberId: z.string(),
      role: memberRoleSchema,
    }),
  ),
});

import { z } from 'zod';
import { memberEmailSchema, memberNameSchema, memberRoleSchema, memberUserIdSchema } from '../../domain/member.js';
import { etagField, idParam, timestamp } from './common.js';

export const orgMemberPathParams = z.strictObject({
  orgId: idParam('organization id'),
  memberId: idParam('member id'),
});

export const memberResponse = z.object({
  id: z.string(),
  userId: z.string().optional().describe('Entra object id; absent until an email-only member first signs in'),
  email: z.string().optional(),
  name: z.string().optional(),
  role: memberRoleSchema,
  createdAt: timestamp,
  updatedAt: timestamp,
  etag: etagField,
});

export const addMemberBody = z
  .strictObject({
    userId: memberUserIdSchema.optional().describe('Entra object id of the user'),
    email: memberEmailSchema
      .optional()
      .describe('bound to the user whose token carries this email at their first sign-in'),
    role: memberRoleSchema,
    name: memberNameSchema.optional(),
  })
  .refine((b) => b.userId !== undefined || b.email !== undefined, {
    message: 'give userId, email or both',
    path: ['userId'],
  });

export const updateMemberBody = z
  .strictObject({
    role: memberRoleSchema.optional(),
    name: memberNameSchema.optional(),
  })
  .refine((b) => b.role !== undefined || b.name !== undefined, { message: 'give role, name or both' });

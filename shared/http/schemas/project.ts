import { z } from 'zod';
import { projectDescriptionSchema, projectNameSchema } from '../../domain/project.js';
import { etagField, idParam, timestamp } from './common.js';

export const orgProjectPathParams = z.strictObject({
  orgId: idParam('organization id'),
  projectId: idParam('project id'),
});

export const projectResponse = z.object({
  id: z.string(),
  orgId: z.string(),
  name: z.string(),
  description: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
  etag: etagField,
});

export const createProjectBody = z.strictObject({
  name: projectNameSchema,
  description: projectDescriptionSchema.optional(),
});

export const updateProjectBody = z
  .strictObject({
    name: projectNameSchema.optional(),
    description: projectDescriptionSchema.optional(),
  })
  .refine((b) => b.name !== undefined || b.description !== undefined, { message: 'give name, description or both' });

import { z } from 'zod';

export const keyProjectResponse = z.object({
  project: z.object({ id: z.string(), name: z.string() }),
  organization: z.object({ id: z.string(), name: z.string() }),
});

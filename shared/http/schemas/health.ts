import { z } from 'zod';

const checkStatus = z.enum(['ok', 'error']);

export const healthResponse = z.object({
  status: checkStatus,
  checks: z.object({ storage: checkStatus, cosmos: checkStatus }),
});

import { z } from 'zod';

/** The message of the `function-call-timeouts` queue: one wait of one session for implicit function outputs. */
export const functionCallTimeoutCheckSchema = z.strictObject({
  projectId: z.string().min(1).max(100),
  sessionId: z.string().min(1).max(100),
  pendingTurnId: z.string().min(1).max(100),
});
export type FunctionCallTimeoutCheck = z.infer<typeof functionCallTimeoutCheckSchema>;

/** A storage queue message may stay hidden for at most 7 days; a wait is bounded by a function's timeout anyway. */
export const MAX_QUEUE_DELAY_SECONDS = 7 * 24 * 3600;

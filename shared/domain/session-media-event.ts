import { z } from 'zod';
import { CLOSE_REASONS, type CloseReason } from './session-lifecycle.js';

/**
 * A message of the `session-events` storage queue: what happens to a session outside the text runtime. It is the
 * contract with an external media tier (the service that renders audio and video) and what the activity call
 * queues. The queue-triggered function that reads it owns the session's state and active time; applying an event
 * twice, or out of order, never counts time twice (see session-lifecycle.ts).
 */
export const sessionMediaEventSchema = z.strictObject({
  /** The sender's id of the event; a repeated event is harmless whatever its id, this is for logs and tracing. */
  eventId: z.string().min(1).max(128),
  type: z.enum(['started', 'activity', 'closed']),
  projectId: z.string().min(1).max(100),
  sessionId: z.string().min(1).max(100),
  /** When it happened, at the sender (ISO 8601). */
  at: z.iso.datetime({ offset: true }),
  /** For `closed`: why; defaults to connection_closed. */
  closeReason: z.enum(CLOSE_REASONS as [CloseReason, ...CloseReason[]]).optional(),
});
export type SessionMediaEvent = z.infer<typeof sessionMediaEventSchema>;

/** Sends session events to the queue (the activity call uses it; a media tier writes the same messages itself). */
export interface SessionEventQueue {
  send(event: SessionMediaEvent): Promise<void>;
}

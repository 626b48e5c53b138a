import { z } from 'zod';
import { mediaKindSchema } from './companion.js';
import { ID_PATTERN } from './ids.js';
import { MAX_MEDIA_URL_LENGTH } from './media-url.js';

/**
 * The message of the `companion-media-fetch` queue: fetch one media URL of a new companion into its incoming path.
 * The URL travels with the message so that a fetch never acts on a companion whose medium changed meanwhile.
 */
export const mediaFetchJobSchema = z.object({
  companionId: z.string().regex(ID_PATTERN),
  projectId: z.string().regex(ID_PATTERN),
  orgId: z.string().regex(ID_PATTERN),
  kind: mediaKindSchema,
  url: z.string().min(1).max(MAX_MEDIA_URL_LENGTH),
});
export type MediaFetchJob = z.infer<typeof mediaFetchJobSchema>;

/**
 * The queue's second message shape: a medium awaiting a client's upload is due for its deadline check. It is sent
 * hidden until `uploadDeadline` (at creation for a declared upload, and for each upload URL issued); handling it
 * rejects the medium with UploadExpired if it still awaits its file then, and changes nothing otherwise.
 */
export const mediaUploadDeadlineJobSchema = z.object({
  companionId: z.string().regex(ID_PATTERN),
  projectId: z.string().regex(ID_PATTERN),
  orgId: z.string().regex(ID_PATTERN),
  kind: mediaKindSchema,
  uploadDeadline: z.iso.datetime({ offset: true }),
});
export type MediaUploadDeadlineJob = z.infer<typeof mediaUploadDeadlineJobSchema>;

/** Either message of the `companion-media-fetch` queue, told apart by `url` or `uploadDeadline`. */
export const mediaFetchQueueMessageSchema = z.union([mediaFetchJobSchema, mediaUploadDeadlineJobSchema]);
export type MediaFetchQueueMessage = z.infer<typeof mediaFetchQueueMessageSchema>;

export function isUploadDeadlineJob(message: MediaFetchQueueMessage): message is MediaUploadDeadlineJob {
  return 'uploadDeadline' in message;
}

/** Queues media fetches and upload deadline checks (a storage queue in production). */
export interface MediaFetchQueue {
  enqueue(job: MediaFetchJob): Promise<void>;
  /** Sends the deadline check hidden for `delaySeconds` (a storage queue hides a message for at most 7 days). */
  scheduleUploadDeadline(job: MediaUploadDeadlineJob, delaySeconds: number): Promise<void>;
}

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

/** Queues media fetches (a storage queue in production). */
export interface MediaFetchQueue {
  enqueue(job: MediaFetchJob): Promise<void>;
}

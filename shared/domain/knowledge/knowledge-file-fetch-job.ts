import { z } from 'zod';
import { ID_PATTERN } from '../ids.js';

export const MAX_KNOWLEDGE_URL_LENGTH = 2048;

/**
 * The message of the `knowledge-file-fetch` queue: fetch one knowledge file's URL into its landing blob. The URL
 * travels with the message so that a fetch never acts on a file that has changed meanwhile.
 */
export const knowledgeFileFetchJobSchema = z.object({
  projectId: z.string().regex(ID_PATTERN),
  orgId: z.string().regex(ID_PATTERN),
  baseId: z.string().regex(ID_PATTERN),
  fileId: z.string().regex(ID_PATTERN),
  url: z.string().min(1).max(MAX_KNOWLEDGE_URL_LENGTH),
});
export type KnowledgeFileFetchJob = z.infer<typeof knowledgeFileFetchJobSchema>;

/** Queues knowledge file fetches (a storage queue in production). */
export interface KnowledgeFileFetchQueue {
  enqueue(job: KnowledgeFileFetchJob): Promise<void>;
}

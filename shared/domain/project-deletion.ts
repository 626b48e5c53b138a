import { z } from 'zod';
import { ID_PATTERN } from './ids.js';

/**
 * The message of the `project-deletions` queue: delete the data of a project marked for deletion, then the project.
 * It names the organization as well, so that a message never acts on a project of another organization.
 */
export const projectDeletionMessageSchema = z.object({
  orgId: z.string().regex(ID_PATTERN),
  projectId: z.string().regex(ID_PATTERN),
});
export type ProjectDeletionMessage = z.infer<typeof projectDeletionMessageSchema>;

/** Where a project deletion goes once the project is marked (the `project-deletions` storage queue). */
export interface ProjectDeletionQueue {
  enqueue(message: ProjectDeletionMessage): Promise<void>;
}

/**
 * A project marked this long ago whose data is still there lost its queue message, or the message failed on every
 * try: the hourly sweep deletes it. Long enough that a message still being handled (or retried) is not raced.
 */
export const PROJECT_DELETION_SWEEP_AFTER_MS = 60 * 60 * 1000;

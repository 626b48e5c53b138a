import { z } from 'zod';

export const projectNameSchema = z.string().trim().min(1).max(100);
export const projectDescriptionSchema = z.string().trim().max(1000);

export interface Project {
  readonly id: string;
  readonly orgId: string;
  readonly name: string;
  readonly description: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * Set when an admin deleted the project: from then on it is not found anywhere it is read (ProjectRepository `get`
   * and `listByOrganization`), and the `project-deletions` queue (or the hourly sweep) deletes its data, then it.
   */
  readonly deletingSince?: string | undefined;
  readonly etag: string;
}

export type NewProject = Omit<Project, 'etag'>;

export interface ProjectChanges {
  readonly name?: string | undefined;
  readonly description?: string | undefined;
}

import { z } from 'zod';
import { ConflictError } from '../../domain/errors.js';
import type { Page, PageRequest } from '../../domain/page.js';
import type { NewProject, Project } from '../../domain/project.js';
import type { ProjectRepository } from '../../domain/project-repository.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';
import { pageSlice, topNeededFor } from './top-n-paging.js';

const CONTAINER = 'projects';

const projectDocument = z.object({
  id: z.string(),
  orgId: z.string(),
  name: z.string(),
  description: z.string().default(''),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletingSince: z.string().optional(),
  _etag: z.string(),
});

function toProject(document: unknown): Project {
  const d = parseDocument(projectDocument, document, CONTAINER);
  return {
    id: d.id,
    orgId: d.orgId,
    name: d.name,
    description: d.description,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    ...(d.deletingSince === undefined ? {} : { deletingSince: d.deletingSince }),
    etag: d._etag,
  };
}

function toDocument(project: NewProject) {
  return {
    id: project.id,
    type: 'project',
    orgId: project.orgId,
    name: project.name,
    description: project.description,
    createdAt: project.createdAt,
    updatedAt: project.updatedAt,
    deletingSince: project.deletingSince,
  };
}

/** Projects marked for deletion are left out of what clients read (see ProjectRepository). */
const LIVE = 'NOT IS_DEFINED(c.deletingSince)';

/**
 * Projects are partitioned by their own id: API keys and `/manage/projects/{projectId}` routes know only the
 * project id, and those reads are the frequent ones. Listing an organization's projects is the one cross-partition
 * query, and a management-only one.
 */
export class CosmosProjectRepository implements ProjectRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(projectId: string): Promise<Project | undefined> {
    const project = await this.getIncludingDeleting(projectId);
    return project?.deletingSince === undefined ? project : undefined;
  }

  async getIncludingDeleting(projectId: string): Promise<Project | undefined> {
    const document = await this.container.read(projectId, projectId);
    return document === undefined ? undefined : toProject(document);
  }

  async listByOrganization(orgId: string, page: PageRequest, options: { readonly includeDeleting?: boolean } = {}): Promise<Page<Project>> {
    const parameters = [{ name: '@orgId', value: orgId }];
    const where = options.includeDeleting === true ? 'c.orgId = @orgId' : `c.orgId = @orgId AND ${LIVE}`;
    const [rows, total] = await Promise.all([
      this.container.query(
        {
          query: `SELECT TOP @top * FROM c WHERE ${where} ORDER BY c.createdAt`,
          parameters: [...parameters, { name: '@top', value: topNeededFor(page) }],
        },
        undefined,
      ),
      this.container.count({ query: `SELECT VALUE COUNT(1) FROM c WHERE ${where}`, parameters }, undefined),
    ]);
    return {
      items: pageSlice(rows, page).map(toProject),
      filteredCount: total,
      totalCount: total,
      pageIndex: page.pageIndex,
      pageSize: page.pageSize,
    };
  }

  async create(project: NewProject): Promise<Project> {
    try {
      return toProject(await this.container.create(toDocument(project)));
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError('The project already exists.');
      throw err;
    }
  }

  async replace(project: Project): Promise<Project> {
    return toProject(await this.container.replace(project.id, project.id, toDocument(project), project.etag));
  }

  async delete(projectId: string, expectedEtag?: string): Promise<void> {
    await this.container.delete(projectId, projectId, expectedEtag);
  }

  /** Cross-partition, hourly and usually empty: the sweep for project deletions whose message was lost. */
  async listDeletingBefore(before: string, limit: number): Promise<Project[]> {
    const rows = await this.container.query(
      {
        query: 'SELECT TOP @top * FROM c WHERE IS_DEFINED(c.deletingSince) AND c.deletingSince <= @before ORDER BY c.deletingSince',
        parameters: [
          { name: '@before', value: before },
          { name: '@top', value: limit },
        ],
      },
      undefined,
    );
    return rows.map(toProject);
  }
}

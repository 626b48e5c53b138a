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
  };
}

/**
 * Projects are partitioned by their own id: API keys and `/manage/projects/{projectId}` routes know only the
 * project id, and those reads are the frequent ones. Listing an organization's projects is the one cross-partition
 * query, and a management-only one.
 */
export class CosmosProjectRepository implements ProjectRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(projectId: string): Promise<Project | undefined> {
    const document = await this.container.read(projectId, projectId);
    return document === undefined ? undefined : toProject(document);
  }

  async listByOrganization(orgId: string, page: PageRequest): Promise<Page<Project>> {
    const parameters = [{ name: '@orgId', value: orgId }];
    const [rows, total] = await Promise.all([
      this.container.query(
        {
          query: 'SELECT TOP @top * FROM c WHERE c.orgId = @orgId ORDER BY c.createdAt',
          parameters: [...parameters, { name: '@top', value: topNeededFor(page) }],
        },
        undefined,
      ),
      this.container.count({ query: 'SELECT VALUE COUNT(1) FROM c WHERE c.orgId = @orgId', parameters }, undefined),
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
}

import type { ApiKeyPrincipal } from '../../../shared/domain/api-key-principal.js';
import type { Project } from '../../../shared/domain/project.js';

/** The principal an API key of this project would authenticate as. */
export function keyOf(project: Pick<Project, 'id' | 'orgId'>): ApiKeyPrincipal {
  return { keyId: `key_of-${project.id}`, projectId: project.id, orgId: project.orgId, hosting: 'hosted' };
}

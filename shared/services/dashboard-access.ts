import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import { ForbiddenError } from '../domain/errors.js';
import type { ManageAuthentication } from './manage-authentication.js';
import type { SubscriptionGate } from './marketplace-subscription-gate.js';
import type { OrganizationAccess } from './organization-access.js';

/** What a dashboard user may do with a project's `/public` routes. */
export type DashboardUse = 'read' | 'playground' | 'admin';

export interface DashboardAccessDeps {
  readonly manageAuthentication: ManageAuthentication;
  readonly access: OrganizationAccess;
  readonly subscriptionGate: SubscriptionGate | undefined;
}

/**
 * The dashboard calls the project's `/public` routes with the signed-in user's `/manage` bearer token and the project
 * in `X-Project-Id`, instead of an API key. Organization members may read and use the Playground (open and end
 * sessions); everything that changes the project's configuration is for admins. The principal stands in for a key:
 * rate limits count per member, and the sessions are billed as platform-hosted ones.
 */
export class DashboardAccess {
  constructor(private readonly deps: DashboardAccessDeps) {}

  async authenticate(bearerToken: string | undefined, projectId: string, use: DashboardUse): Promise<ApiKeyPrincipal> {
    const caller = await this.deps.manageAuthentication.authenticate(bearerToken);
    const { project, membership } = await this.deps.access.requireProjectMember(caller, projectId);
    if (use === 'admin' && membership.member.role !== 'admin') {
      throw new ForbiddenError('Members can browse and use the Playground; changing the project is for organization admins.', 'AdminRoleRequired');
    }
    await this.deps.subscriptionGate?.assertActive(project.orgId);
    return {
      keyId: `dashboard:${membership.member.id}`,
      projectId: project.id,
      orgId: project.orgId,
      hosting: 'hosted',
      dashboardRole: membership.member.role,
    };
  }
}

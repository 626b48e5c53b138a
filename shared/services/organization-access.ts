import type { Clock } from '../domain/clock.js';
import { ForbiddenError, NotFoundError } from '../domain/errors.js';
import type { ManagePrincipal } from '../domain/identity.js';
import type { Logger } from '../domain/logger.js';
import type { Member, MemberRoster } from '../domain/member.js';
import type { MemberRosterRepository } from '../domain/member-roster-repository.js';
import { principalKeyOfEmail, principalKeyOfUser, type MembershipIndex } from '../domain/membership-index.js';
import type { Project } from '../domain/project.js';
import type { ProjectRepository } from '../domain/project-repository.js';
import { withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';

/** The caller's membership in one organization, with the roster it was read from. */
export interface OrganizationMembership {
  readonly roster: MemberRoster;
  readonly member: Member;
}

export interface OrganizationAccessDeps {
  readonly rosters: MemberRosterRepository;
  readonly membershipIndex: MembershipIndex;
  readonly projects: ProjectRepository;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Decides who may do what in an organization, from one point read of its roster. Non-members get 404 (an
 * organization's existence is not revealed to outsiders); members asking for admin-only operations get 403.
 */
export class OrganizationAccess {
  constructor(private readonly deps: OrganizationAccessDeps) {}

  /**
   * The caller's membership, or undefined. An email-only member whose email matches the caller's verified token
   * email is bound to the caller here, at their first sign-in.
   */
  async findMembership(principal: ManagePrincipal, orgId: string): Promise<OrganizationMembership | undefined> {
    return withOptimisticRetry(async () => {
      const roster = await this.deps.rosters.get(orgId);
      if (roster === undefined) return undefined;
      const bound = roster.members.find((m) => m.userId === principal.userId);
      if (bound !== undefined) return { roster, member: bound };
      const email = principal.email?.toLowerCase();
      if (email === undefined || email === '') return undefined;
      const invited = roster.members.find((m) => m.userId === undefined && m.email === email);
      if (invited === undefined) return undefined;

      const member: Member = { ...invited, userId: principal.userId, updatedAt: this.deps.clock.now().toISOString() };
      const saved = await writeOrRetry(() =>
        this.deps.rosters.replace({ ...roster, members: roster.members.map((m) => (m.id === member.id ? member : m)) }),
      );
      await this.reindexBoundMember(orgId, member, email);
      return { roster: saved, member };
    });
  }

  async requireMember(principal: ManagePrincipal, orgId: string): Promise<OrganizationMembership> {
    const membership = await this.findMembership(principal, orgId);
    if (membership === undefined) throw new NotFoundError('Organization');
    return membership;
  }

  async requireAdmin(principal: ManagePrincipal, orgId: string): Promise<OrganizationMembership> {
    const membership = await this.requireMember(principal, orgId);
    if (membership.member.role !== 'admin') {
      throw new ForbiddenError('Only an organization admin can do this.');
    }
    return membership;
  }

  /** A project of an organization the caller belongs to; 404 when either is not visible to the caller. */
  async requireProjectMember(
    principal: ManagePrincipal,
    projectId: string,
  ): Promise<{ project: Project; membership: OrganizationMembership }> {
    const project = await this.deps.projects.get(projectId);
    if (project === undefined) throw new NotFoundError('Project');
    const membership = await this.findMembership(principal, project.orgId);
    if (membership === undefined) throw new NotFoundError('Project');
    return { project, membership };
  }

  async requireProjectAdmin(
    principal: ManagePrincipal,
    projectId: string,
  ): Promise<{ project: Project; membership: OrganizationMembership }> {
    const found = await this.requireProjectMember(principal, projectId);
    if (found.membership.member.role !== 'admin') {
      throw new ForbiddenError('Only an organization admin can do this.');
    }
    return found;
  }

  /**
   * The index is secondary to the roster: a failure here is logged, not surfaced, and the next listing repairs it
   * (the email entry is found again and the roster already shows the binding).
   */
  private async reindexBoundMember(orgId: string, member: Member, email: string): Promise<void> {
    if (member.userId === undefined) return;
    try {
      await this.deps.membershipIndex.put({
        principalKey: principalKeyOfUser(member.userId),
        orgId,
        memberId: member.id,
      });
      await this.deps.membershipIndex.remove(principalKeyOfEmail(email), orgId);
    } catch (err) {
      this.deps.logger.warn('membership index update failed after binding a member', { orgId, memberId: member.id, err });
    }
  }
}

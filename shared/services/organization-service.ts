import type { Clock } from '../domain/clock.js';
import { NotFoundError } from '../domain/errors.js';
import type { ManagePrincipal } from '../domain/identity.js';
import { newId } from '../domain/ids.js';
import type { Logger } from '../domain/logger.js';
import type { Member, MemberRole } from '../domain/member.js';
import type { MemberRosterRepository } from '../domain/member-roster-repository.js';
import {
  principalKeyOfEmail,
  principalKeyOfUser,
  type MembershipIndex,
  type MembershipIndexEntry,
} from '../domain/membership-index.js';
import {
  DEFAULT_ORGANIZATION_SETTINGS,
  type Organization,
  type OrganizationChanges,
} from '../domain/organization.js';
import type { OrganizationRepository } from '../domain/organization-repository.js';
import type { Page, PageRequest } from '../domain/page.js';
import { indexMember } from './membership-indexing.js';
import { checkIfMatch, withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';
import type { OrganizationAccess } from './organization-access.js';

/** An organization as its member sees it, with the caller's own role. */
export interface OrganizationView extends Organization {
  readonly role: MemberRole;
  readonly memberId: string;
}

export interface PrincipalOverview {
  readonly user: {
    readonly id: string;
    readonly email: string | undefined;
    readonly name: string | undefined;
    readonly kind: ManagePrincipal['kind'];
  };
  readonly memberships: {
    readonly organization: { readonly id: string; readonly name: string };
    readonly memberId: string;
    readonly role: MemberRole;
  }[];
}

export interface NewOrganizationInput {
  /** A fixed id makes creation idempotent for callers that retry (bootstrap, Marketplace landing). */
  readonly id?: string | undefined;
  readonly name: string;
  readonly firstAdmin: { readonly userId?: string | undefined; readonly email?: string | undefined; readonly name?: string | undefined };
}

export interface OrganizationServiceDeps {
  readonly access: OrganizationAccess;
  readonly organizations: OrganizationRepository;
  readonly rosters: MemberRosterRepository;
  readonly membershipIndex: MembershipIndex;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class OrganizationService {
  constructor(private readonly deps: OrganizationServiceDeps) {}

  /** The caller's organizations, ordered by id, each confirmed against its roster. */
  async listForPrincipal(principal: ManagePrincipal, page: PageRequest): Promise<Page<OrganizationView>> {
    const orgIds = await this.candidateOrganizationIds(principal);
    const start = page.pageIndex * page.pageSize;
    const views = await Promise.all(orgIds.slice(start, start + page.pageSize).map((id) => this.viewIfMember(principal, id)));
    return {
      items: views.filter((v): v is OrganizationView => v !== undefined),
      filteredCount: orgIds.length,
      totalCount: orgIds.length,
      pageIndex: page.pageIndex,
      pageSize: page.pageSize,
    };
  }

  async get(principal: ManagePrincipal, orgId: string): Promise<OrganizationView> {
    const view = await this.viewIfMember(principal, orgId);
    if (view === undefined) throw new NotFoundError('Organization');
    return view;
  }

  async update(
    principal: ManagePrincipal,
    orgId: string,
    changes: OrganizationChanges,
    ifMatch: string | undefined,
  ): Promise<OrganizationView> {
    const { member } = await this.deps.access.requireAdmin(principal, orgId);
    const saved = await withOptimisticRetry(async () => {
      const current = await this.deps.organizations.get(orgId);
      if (current === undefined) throw new NotFoundError('Organization');
      checkIfMatch(ifMatch, current.etag);
      const next: Organization = {
        ...current,
        name: changes.name ?? current.name,
        settings: { ...current.settings, ...changes.settings },
        updatedAt: this.deps.clock.now().toISOString(),
      };
      return writeOrRetry(() => this.deps.organizations.replace(next));
    });
    return { ...saved, role: member.role, memberId: member.id };
  }

  /** `GET /manage/me`: who the caller is and every organization they belong to. */
  async overview(principal: ManagePrincipal): Promise<PrincipalOverview> {
    const orgIds = await this.candidateOrganizationIds(principal);
    const views = await Promise.all(orgIds.map((id) => this.viewIfMember(principal, id)));
    return {
      user: { id: principal.userId, email: principal.email, name: principal.name, kind: principal.kind },
      memberships: views
        .filter((v): v is OrganizationView => v !== undefined)
        .map((v) => ({ organization: { id: v.id, name: v.name }, memberId: v.memberId, role: v.role })),
    };
  }

  /**
   * Creates an organization with its first admin. Used by the local bootstrap and by Marketplace onboarding, not by
   * a public route. With a fixed id, a repeat rejects with ConflictError instead of creating a second one.
   */
  async create(input: NewOrganizationInput): Promise<Organization> {
    const now = this.deps.clock.now().toISOString();
    const orgId = input.id ?? newId('org');
    const admin: Member = {
      id: newId('mem'),
      userId: input.firstAdmin.userId,
      email: input.firstAdmin.email?.toLowerCase(),
      name: input.firstAdmin.name,
      role: 'admin',
      createdAt: now,
      updatedAt: now,
    };
    // Roster first: an organization document without a roster would be visible to nobody and unmanageable.
    await this.deps.rosters.create({ orgId, members: [admin] });
    const org = await this.deps.organizations.create({
      id: orgId,
      name: input.name,
      settings: DEFAULT_ORGANIZATION_SETTINGS,
      createdAt: now,
      updatedAt: now,
    });
    await indexMember(this.deps.membershipIndex, this.deps.logger, orgId, admin);
    return org;
  }

  private async candidateOrganizationIds(principal: ManagePrincipal): Promise<string[]> {
    const lookups: Promise<MembershipIndexEntry[]>[] = [
      this.deps.membershipIndex.listByPrincipal(principalKeyOfUser(principal.userId)),
    ];
    if (principal.email !== undefined && principal.email !== '') {
      lookups.push(this.deps.membershipIndex.listByPrincipal(principalKeyOfEmail(principal.email)));
    }
    const entries = (await Promise.all(lookups)).flat();
    return [...new Set(entries.map((e) => e.orgId))].sort();
  }

  /** Confirms membership against the roster (binding an invited email on first sign-in) and drops stale index entries. */
  private async viewIfMember(principal: ManagePrincipal, orgId: string): Promise<OrganizationView | undefined> {
    const [membership, org] = await Promise.all([
      this.deps.access.findMembership(principal, orgId),
      this.deps.organizations.get(orgId),
    ]);
    if (membership === undefined || org === undefined) {
      if (membership === undefined) await this.removeStaleIndexEntries(principal, orgId);
      return undefined;
    }
    return { ...org, role: membership.member.role, memberId: membership.member.id };
  }

  private async removeStaleIndexEntries(principal: ManagePrincipal, orgId: string): Promise<void> {
    try {
      await this.deps.membershipIndex.remove(principalKeyOfUser(principal.userId), orgId);
      if (principal.email !== undefined && principal.email !== '') {
        await this.deps.membershipIndex.remove(principalKeyOfEmail(principal.email), orgId);
      }
    } catch (err) {
      this.deps.logger.warn('removing a stale membership index entry failed', { orgId, err });
    }
  }
}

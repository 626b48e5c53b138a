import type { Clock } from '../domain/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { ManagePrincipal } from '../domain/identity.js';
import { newId } from '../domain/ids.js';
import type { Logger } from '../domain/logger.js';
import {
  activeAdminCount,
  MAX_MEMBERS_PER_ORGANIZATION,
  memberEtag,
  type Member,
  type MemberChanges,
  type NewMemberInput,
} from '../domain/member.js';
import type { MemberRosterRepository } from '../domain/member-roster-repository.js';
import type { MembershipIndex } from '../domain/membership-index.js';
import { pageOfArray, type Page, type PageRequest } from '../domain/page.js';
import { indexMember, unindexMember } from './membership-indexing.js';
import { checkIfMatch, withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';
import type { OrganizationAccess } from './organization-access.js';

export interface MemberView extends Member {
  readonly etag: string;
}

export interface MemberServiceDeps {
  readonly access: OrganizationAccess;
  readonly rosters: MemberRosterRepository;
  readonly membershipIndex: MembershipIndex;
  readonly clock: Clock;
  readonly logger: Logger;
}

const view = (member: Member): MemberView => ({ ...member, etag: memberEtag(member) });

/** Members of an organization: anyone in it may list them; only admins change them. */
export class MemberService {
  constructor(private readonly deps: MemberServiceDeps) {}

  async list(principal: ManagePrincipal, orgId: string, page: PageRequest): Promise<Page<MemberView>> {
    const { roster } = await this.deps.access.requireMember(principal, orgId);
    const ordered = [...roster.members].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    const result = pageOfArray(ordered, page);
    return { ...result, items: result.items.map(view) };
  }

  async get(principal: ManagePrincipal, orgId: string, memberId: string): Promise<MemberView> {
    const { roster } = await this.deps.access.requireMember(principal, orgId);
    const member = roster.members.find((m) => m.id === memberId);
    if (member === undefined) throw new NotFoundError('Member');
    return view(member);
  }

  async add(principal: ManagePrincipal, orgId: string, input: NewMemberInput): Promise<MemberView> {
    if (input.userId === undefined && input.email === undefined) {
      throw new ValidationError([{ path: '', message: 'give userId, email or both' }]);
    }
    const email = input.email?.toLowerCase();
    const added = await withOptimisticRetry(async () => {
      // Re-checked on every attempt: the caller may have been demoted by a concurrent change.
      const { roster } = await this.deps.access.requireAdmin(principal, orgId);
      if (input.userId !== undefined && roster.members.some((m) => m.userId === input.userId)) {
        throw new ConflictError('This user is already a member of the organization.', 'MemberAlreadyExists');
      }
      if (email !== undefined && roster.members.some((m) => m.email === email)) {
        throw new ConflictError('A member with this email already exists.', 'MemberAlreadyExists');
      }
      if (roster.members.length >= MAX_MEMBERS_PER_ORGANIZATION) {
        throw new ConflictError(
          `An organization has at most ${MAX_MEMBERS_PER_ORGANIZATION} members.`,
          'MemberLimitReached',
        );
      }
      const now = this.deps.clock.now().toISOString();
      const member: Member = {
        id: newId('mem'),
        userId: input.userId,
        email,
        name: input.name,
        role: input.role,
        createdAt: now,
        updatedAt: now,
      };
      await writeOrRetry(() => this.deps.rosters.replace({ ...roster, members: [...roster.members, member] }));
      return member;
    });
    await indexMember(this.deps.membershipIndex, this.deps.logger, orgId, added);
    return view(added);
  }

  async update(
    principal: ManagePrincipal,
    orgId: string,
    memberId: string,
    changes: MemberChanges,
    ifMatch: string | undefined,
  ): Promise<MemberView> {
    const updated = await withOptimisticRetry(async () => {
      const { roster } = await this.deps.access.requireAdmin(principal, orgId);
      const current = roster.members.find((m) => m.id === memberId);
      if (current === undefined) throw new NotFoundError('Member');
      checkIfMatch(ifMatch, memberEtag(current));
      const member: Member = {
        ...current,
        role: changes.role ?? current.role,
        name: changes.name ?? current.name,
        updatedAt: this.deps.clock.now().toISOString(),
      };
      const members = roster.members.map((m) => (m.id === memberId ? member : m));
      this.ensureAnAdminRemains(roster.members, members);
      await writeOrRetry(() => this.deps.rosters.replace({ ...roster, members }));
      return member;
    });
    return view(updated);
  }

  async remove(principal: ManagePrincipal, orgId: string, memberId: string, ifMatch: string | undefined): Promise<void> {
    const removed = await withOptimisticRetry(async () => {
      const { roster } = await this.deps.access.requireAdmin(principal, orgId);
      const current = roster.members.find((m) => m.id === memberId);
      if (current === undefined) throw new NotFoundError('Member');
      checkIfMatch(ifMatch, memberEtag(current));
      const members = roster.members.filter((m) => m.id !== memberId);
      this.ensureAnAdminRemains(roster.members, members);
      await writeOrRetry(() => this.deps.rosters.replace({ ...roster, members }));
      return current;
    });
    await unindexMember(this.deps.membershipIndex, this.deps.logger, orgId, removed);
  }

  /** An organization never loses its last admin who can sign in; only a change that removes one is refused. */
  private ensureAnAdminRemains(before: readonly Member[], after: readonly Member[]): void {
    const remaining = activeAdminCount(after);
    if (remaining === 0 && activeAdminCount(before) > 0) {
      throw new ConflictError('An organization must keep at least one admin.', 'LastAdmin');
    }
  }
}

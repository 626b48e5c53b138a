import type { MemberRoster, NewMemberRoster } from './member.js';

export interface MemberRosterRepository {
  get(orgId: string): Promise<MemberRoster | undefined>;
  /** Create-only: rejects with ConflictError when the organization already has a roster. */
  create(roster: NewMemberRoster): Promise<MemberRoster>;
  /** Replaces when the stored ETag is still `roster.etag`, else rejects with PreconditionFailedError. */
  replace(roster: MemberRoster): Promise<MemberRoster>;
}

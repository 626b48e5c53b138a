/**
 * Which organizations a user (or a not-yet-bound email) belongs to, for `GET /manage/orgs` and `/manage/me`.
 * It is an index, not the truth: access decisions read the organization's roster, and an entry that the roster
 * no longer confirms is ignored and removed.
 */
export interface MembershipIndexEntry {
  /** `user:<userId>` or `email:<lower-case email>` (see principalKeyOfUser / principalKeyOfEmail). */
  readonly principalKey: string;
  readonly orgId: string;
  readonly memberId: string;
}

export interface MembershipIndex {
  listByPrincipal(principalKey: string): Promise<MembershipIndexEntry[]>;
  /** Insert or overwrite (idempotent). */
  put(entry: MembershipIndexEntry): Promise<void>;
  /** Idempotent: removing a missing entry succeeds. */
  remove(principalKey: string, orgId: string): Promise<void>;
}

export function principalKeyOfUser(userId: string): string {
  return `user:${userId}`;
}

export function principalKeyOfEmail(email: string): string {
  return `email:${email.toLowerCase()}`;
}

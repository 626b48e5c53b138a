import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Roles exactly as the seed FAQ says. Admin: API keys, settings, billing, members, and project create/edit/delete.
 * Member: browse companions, use the playground, view projects.
 */
export const memberRoleSchema = z.enum(['admin', 'member']);
export type MemberRole = z.infer<typeof memberRoleSchema>;

export const memberEmailSchema = z
  .email()
  .max(254)
  .transform((v) => v.toLowerCase());
/** Entra object ids are GUIDs; the local dev admin is `dev-admin`. */
export const memberUserIdSchema = z.string().trim().min(1).max(128).regex(/^[A-Za-z0-9._@-]+$/);
export const memberNameSchema = z.string().trim().min(1).max(200);

export interface Member {
  readonly id: string;
  /** Absent until an email-only member signs in for the first time and is bound by the token's email claim. */
  readonly userId: string | undefined;
  /** Stored lower-case so that binding and duplicate checks ignore case. */
  readonly email: string | undefined;
  readonly name: string | undefined;
  readonly role: MemberRole;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * Every member of one organization, kept in one document. One document makes "an organization never loses its last
 * admin" an atomic check: two admins demoting each other at the same time cannot both succeed, because each
 * change is an ETag-conditional replace of the same document (Cosmos has no cross-document transaction we can
 * rely on locally). Organizations have few members, so the document stays small.
 */
export interface MemberRoster {
  readonly orgId: string;
  readonly members: readonly Member[];
  readonly etag: string;
}

export type NewMemberRoster = Omit<MemberRoster, 'etag'>;

export const MAX_MEMBERS_PER_ORGANIZATION = 500;

/**
 * A member's own ETag, derived from its content, so that If-Match on one member is not disturbed by changes to
 * other members of the same roster document.
 */
export function memberEtag(member: Member): string {
  const canonical = JSON.stringify([
    member.id,
    member.userId ?? null,
    member.email ?? null,
    member.name ?? null,
    member.role,
    member.createdAt,
    member.updatedAt,
  ]);
  return `"${createHash('sha256').update(canonical).digest('base64url').slice(0, 27)}"`;
}

/** Admins who can act: an admin invited by email only cannot sign in as that member until bound, so they do not count. */
export function activeAdminCount(members: readonly Member[]): number {
  return members.filter((m) => m.role === 'admin' && m.userId !== undefined).length;
}

export interface MemberChanges {
  readonly role?: MemberRole | undefined;
  readonly name?: string | undefined;
}

export interface NewMemberInput {
  readonly userId?: string | undefined;
  readonly email?: string | undefined;
  readonly name?: string | undefined;
  readonly role: MemberRole;
}

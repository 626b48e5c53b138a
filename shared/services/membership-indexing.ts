import type { Logger } from '../domain/logger.js';
import type { Member } from '../domain/member.js';
import { principalKeyOfEmail, principalKeyOfUser, type MembershipIndex } from '../domain/membership-index.js';

/** The index key under which a member is found: their user id once bound, else their invited email. */
function principalKeyOf(member: Member): string | undefined {
  if (member.userId !== undefined) return principalKeyOfUser(member.userId);
  if (member.email !== undefined) return principalKeyOfEmail(member.email);
  return undefined;
}

/**
 * Index writes follow a successful roster write. The roster is the truth, so a failed index write is logged and
 * repaired later rather than failing a change that already happened.
 */
export async function indexMember(index: MembershipIndex, logger: Logger, orgId: string, member: Member): Promise<void> {
  const principalKey = principalKeyOf(member);
  if (principalKey === undefined) return;
  try {
    await index.put({ principalKey, orgId, memberId: member.id });
  } catch (err) {
    logger.warn('membership index put failed', { orgId, memberId: member.id, err });
  }
}

export async function unindexMember(index: MembershipIndex, logger: Logger, orgId: string, member: Member): Promise<void> {
  const keys = [
    member.userId === undefined ? undefined : principalKeyOfUser(member.userId),
    member.email === undefined ? undefined : principalKeyOfEmail(member.email),
  ].filter((k): k is string => k !== undefined);
  try {
    await Promise.all(keys.map((key) => index.remove(key, orgId)));
  } catch (err) {
    logger.warn('membership index removal failed', { orgId, memberId: member.id, err });
  }
}

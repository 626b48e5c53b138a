import { z } from 'zod';
import { ConflictError } from '../../domain/errors.js';
import { memberRoleSchema, type Member, type MemberRoster, type NewMemberRoster } from '../../domain/member.js';
import type { MemberRosterRepository } from '../../domain/member-roster-repository.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';

const CONTAINER = 'member-rosters';

const memberDocument = z.object({
  id: z.string(),
  userId: z.string().optional(),
  email: z.string().optional(),
  name: z.string().optional(),
  role: memberRoleSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** One document per organization: its id is the organization id, and so is its partition key. */
const rosterDocument = z.object({
  id: z.string(),
  orgId: z.string(),
  members: z.array(memberDocument),
  _etag: z.string(),
});

function toRoster(document: unknown): MemberRoster {
  const d = parseDocument(rosterDocument, document, CONTAINER);
  return {
    orgId: d.orgId,
    members: d.members.map(
      (m): Member => ({
        id: m.id,
        userId: m.userId,
        email: m.email,
        name: m.name,
        role: m.role,
        createdAt: m.createdAt,
        updatedAt: m.updatedAt,
      }),
    ),
    etag: d._etag,
  };
}

function toDocument(roster: NewMemberRoster) {
  return {
    id: roster.orgId,
    orgId: roster.orgId,
    type: 'memberRoster',
    // JSON drops undefined fields, which is how optional fields are stored.
    members: roster.members.map((m) => ({ ...m })),
  };
}

export class CosmosMemberRosterRepository implements MemberRosterRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(orgId: string): Promise<MemberRoster | undefined> {
    const document = await this.container.read(orgId, orgId);
    return document === undefined ? undefined : toRoster(document);
  }

  async create(roster: NewMemberRoster): Promise<MemberRoster> {
    try {
      return toRoster(await this.container.create(toDocument(roster)));
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError('The organization already has members.');
      throw err;
    }
  }

  async replace(roster: MemberRoster): Promise<MemberRoster> {
    return toRoster(await this.container.replace(roster.orgId, roster.orgId, toDocument(roster), roster.etag));
  }
}

import { describe, expect, it } from 'vitest';
import { ConflictError, PreconditionFailedError } from '../../../shared/domain/errors.js';
import { createTestWorld, seedOrganization } from '../fakes/test-services.js';

describe('members', () => {
  it('when the only admin demotes themselves, it is refused with 409 LastAdmin', async () => {
    const world = createTestWorld();
    const { org, admin } = await seedOrganization(world);
    const adminMember = (await world.services.members.list(admin, org.id, { pageIndex: 0, pageSize: 20 })).items.find(
      (m) => m.userId === admin.userId,
    );

    const demote = world.services.members.update(admin, org.id, adminMember!.id, { role: 'member' }, undefined);

    await expect(demote).rejects.toMatchObject({ code: 'LastAdmin' });
    await expect(demote).rejects.toBeInstanceOf(ConflictError);
  });

  it('when the only admin removes themselves, it is refused with 409 LastAdmin', async () => {
    const world = createTestWorld();
    const { org, admin } = await seedOrganization(world);
    const roster = await world.rosters.get(org.id);
    const adminId = roster!.members.find((m) => m.userId === admin.userId)!.id;

    await expect(world.services.members.remove(admin, org.id, adminId, undefined)).rejects.toMatchObject({ code: 'LastAdmin' });
  });

  it('when another admin exists, an admin may step down', async () => {
    const world = createTestWorld();
    const { org, admin, member, memberId } = await seedOrganization(world);
    await world.services.members.update(admin, org.id, memberId, { role: 'admin' }, undefined);
    const roster = await world.rosters.get(org.id);
    const adminId = roster!.members.find((m) => m.userId === admin.userId)!.id;

    const demoted = await world.services.members.update(admin, org.id, adminId, { role: 'member' }, undefined);

    expect(demoted.role).toBe('member');
    await expect(world.services.organizations.get(member, org.id)).resolves.toMatchObject({ role: 'admin' });
  });

  it('an admin invited by email only does not count as the remaining admin', async () => {
    const world = createTestWorld();
    const { org, admin } = await seedOrganization(world);
    await world.services.members.add(admin, org.id, { email: 'later@example.com', role: 'admin' });
    const adminId = (await world.rosters.get(org.id))!.members.find((m) => m.userId === admin.userId)!.id;

    await expect(world.services.members.remove(admin, org.id, adminId, undefined)).rejects.toMatchObject({ code: 'LastAdmin' });
  });

  it('when two admins demote each other at once, one of them stays admin', async () => {
    const world = createTestWorld();
    const { org, admin, memberId } = await seedOrganization(world);
    await world.services.members.update(admin, org.id, memberId, { role: 'admin' }, undefined);
    const adminId = (await world.rosters.get(org.id))!.members.find((m) => m.userId === admin.userId)!.id;

    // The other admin's demotion of this admin is written between this admin's read and write of the roster.
    world.rosters.beforeNextReplace = () => {
      const current = world.rosters.table.rows.get(org.id)!;
      world.rosters.table.replace(org.id, {
        ...current,
        members: current.members.map((m) => (m.id === adminId ? { ...m, role: 'member' as const } : m)),
      });
    };
    const selfDemotionOfOther = world.services.members.update(admin, org.id, memberId, { role: 'member' }, undefined);

    // Retried against the new roster, the caller is no longer an admin.
    await expect(selfDemotionOfOther).rejects.toMatchObject({ code: 'Forbidden' });
    const roster = await world.rosters.get(org.id);
    expect(roster!.members.filter((m) => m.role === 'admin').map((m) => m.id)).toEqual([memberId]);
  });

  it('when adding a user who is already a member, it is refused with 409 MemberAlreadyExists', async () => {
    const world = createTestWorld();
    const { org, admin, member } = await seedOrganization(world);

    await expect(world.services.members.add(admin, org.id, { userId: member.userId, role: 'admin' })).rejects.toMatchObject({
      code: 'MemberAlreadyExists',
    });
    await world.services.members.add(admin, org.id, { email: 'a@example.com', role: 'member' });
    await expect(world.services.members.add(admin, org.id, { email: 'A@Example.com', role: 'member' })).rejects.toMatchObject({
      code: 'MemberAlreadyExists',
    });
  });

  it("when If-Match names an older version of the member, the change is refused with 412", async () => {
    const world = createTestWorld();
    const { org, admin, memberId } = await seedOrganization(world);
    const before = await world.services.members.get(admin, org.id, memberId);
    world.clock.advance(1000);
    await world.services.members.update(admin, org.id, memberId, { name: 'Renamed' }, before.etag);

    await expect(
      world.services.members.update(admin, org.id, memberId, { role: 'admin' }, before.etag),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
  });

  it('when a member is removed, they lose access at once', async () => {
    const world = createTestWorld();
    const { org, admin, member, memberId } = await seedOrganization(world);
    await world.services.members.remove(admin, org.id, memberId, undefined);

    await expect(world.services.projects.list(member, org.id, { pageIndex: 0, pageSize: 20 })).rejects.toMatchObject({ code: 'NotFound' });
  });
});

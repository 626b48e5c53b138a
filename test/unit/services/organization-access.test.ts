import { describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError } from '../../../shared/domain/errors.js';
import { createTestWorld, entraUser, seedOrganization } from '../fakes/test-services.js';

describe('organization access', () => {
  it('when a member asks for an admin-only operation, it is refused with 403 Forbidden', async () => {
    const world = createTestWorld();
    const { org, member, project } = await seedOrganization(world);

    await expect(world.services.projects.create(member, org.id, { name: 'x' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(world.services.projects.update(member, org.id, project.id, { name: 'y' }, undefined)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(world.services.projects.delete(member, org.id, project.id, undefined)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(world.services.organizations.update(member, org.id, { name: 'y' }, undefined)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(world.services.members.add(member, org.id, { userId: 'u9', role: 'member' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(world.services.apiKeys.create(member, project.id, { name: 'k', llm: { hosting: 'hosted' } })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(world.services.apiKeys.list(member, project.id, { pageIndex: 0, pageSize: 20 })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('when a member browses, they can view the organization, its projects and its members', async () => {
    const world = createTestWorld();
    const { org, member, project } = await seedOrganization(world);

    await expect(world.services.organizations.get(member, org.id)).resolves.toMatchObject({ id: org.id, role: 'member' });
    const projects = await world.services.projects.list(member, org.id, { pageIndex: 0, pageSize: 20 });
    expect(projects.items.map((p) => p.id)).toEqual([project.id]);
    await expect(world.services.projects.get(member, org.id, project.id)).resolves.toMatchObject({ id: project.id });
    const members = await world.services.members.list(member, org.id, { pageIndex: 0, pageSize: 20 });
    expect(members.totalCount).toBe(2);
  });

  it("when a non-member asks for any organization operation, the organization is not found (404), not forbidden", async () => {
    const world = createTestWorld();
    const { org, project } = await seedOrganization(world);
    const stranger = entraUser('stranger');

    await expect(world.services.organizations.get(stranger, org.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.projects.list(stranger, org.id, { pageIndex: 0, pageSize: 20 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.members.add(stranger, org.id, { userId: 'x', role: 'admin' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.apiKeys.list(stranger, project.id, { pageIndex: 0, pageSize: 20 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.organizations.get(stranger, 'org_doesnotexist')).rejects.toBeInstanceOf(NotFoundError);
  });

  it("when an admin of one organization names another organization's project, it is not found", async () => {
    const world = createTestWorld();
    const a = await seedOrganization(world, 'Alpha');
    const b = await seedOrganization(world, 'Beta');

    await expect(world.services.projects.get(a.admin, a.org.id, b.project.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.projects.delete(a.admin, a.org.id, b.project.id, undefined)).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.apiKeys.create(a.admin, b.project.id, { name: 'k', llm: { hosting: 'hosted' } })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('when a member added by email first signs in with that email, they are bound to their user id', async () => {
    const world = createTestWorld();
    const { org, admin } = await seedOrganization(world);
    const added = await world.services.members.add(admin, org.id, { email: 'New.Person@Example.com', role: 'member' });
    expect(added.userId).toBeUndefined();
    expect(added.email).toBe('new.person@example.com');

    const newcomer = entraUser('oid-new', 'new.person@example.com');
    const overview = await world.services.organizations.overview(newcomer);

    expect(overview.memberships).toEqual([{ organization: { id: org.id, name: 'Acme' }, memberId: added.id, role: 'member' }]);
    const bound = await world.services.members.get(admin, org.id, added.id);
    expect(bound.userId).toBe('oid-new');
    // Later sign-ins find them by user id, even with a different email claim.
    await expect(world.services.organizations.get(entraUser('oid-new'), org.id)).resolves.toMatchObject({ role: 'member' });
  });

  it('when someone else signs in with a different email, an email-only member is not bound to them', async () => {
    const world = createTestWorld();
    const { org, admin } = await seedOrganization(world);
    await world.services.members.add(admin, org.id, { email: 'invited@example.com', role: 'admin' });

    await expect(world.services.organizations.get(entraUser('oid-x', 'other@example.com'), org.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists only the organizations the caller belongs to, with their role in each', async () => {
    const world = createTestWorld();
    const a = await seedOrganization(world, 'Alpha');
    const b = await seedOrganization(world, 'Beta');
    await world.services.members.add(b.admin, b.org.id, { userId: a.member.userId, role: 'admin' });

    const page = await world.services.organizations.listForPrincipal(a.member, { pageIndex: 0, pageSize: 20 });

    expect(page.items.map((o) => [o.name, o.role]).sort()).toEqual([
      ['Alpha', 'member'],
      ['Beta', 'admin'],
    ]);
    expect(page.totalCount).toBe(2);
  });

  it('when a removed member lists their organizations, the stale index entry is dropped', async () => {
    const world = createTestWorld();
    const { org, admin, member, memberId } = await seedOrganization(world);
    await world.services.members.remove(admin, org.id, memberId, undefined);

    const page = await world.services.organizations.listForPrincipal(member, { pageIndex: 0, pageSize: 20 });
    expect(page.items).toEqual([]);
    await expect(world.services.organizations.get(member, org.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});

import { describe, expect, it } from 'vitest';
import { NotFoundError, PreconditionFailedError } from '../../../shared/domain/errors.js';
import { createTestWorld, seedOrganization } from '../fakes/test-services.js';

const firstPage = { pageIndex: 0, pageSize: 20 };
const HOUR = 60 * 60 * 1000;

async function projectWithData() {
  const world = createTestWorld();
  const seeded = await seedOrganization(world);
  const { admin, project, org } = seeded;
  const key = await world.services.apiKeys.create(admin, project.id, { name: 'server', llm: { hosting: 'hosted' } });
  const principal = { keyId: key.apiKey.id, projectId: project.id, orgId: org.id, hosting: 'hosted' as const };
  await world.services.faqs.create(principal, { name: 'Billing', faqs: [{ question: 'Price?', answer: 'Per minute.' }] });
  await world.services.knowledgeBases.create(principal, { name: 'Manuals', provider: 'azureOpenAI' });
  return { world, ...seeded, key, principal };
}

describe('deleting a project', () => {
  it('marks it, revokes its keys and queues the deletion; it is not found from then on, and the message deletes its data', async () => {
    const { world, admin, org, project, key } = await projectWithData();

    await world.services.projects.delete(admin, org.id, project.id, undefined);

    expect(world.projectDeletions.messages).toEqual([{ orgId: org.id, projectId: project.id }]);
    expect((await world.projects.getIncludingDeleting(project.id))?.deletingSince).toBe(world.clock.now().toISOString());
    await expect(world.services.projects.get(admin, org.id, project.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await world.services.projects.list(admin, org.id, firstPage)).items).toEqual([]);
    await expect(world.services.access.requireProjectMember(admin, project.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.apiKeys.authenticate(key.secret)).rejects.toMatchObject({ code: 'InvalidApiKey' });
    await expect(world.services.projects.delete(admin, org.id, project.id, undefined)).rejects.toBeInstanceOf(NotFoundError);
    expect(world.faqs.table.rows.size).toBe(1);

    await expect(world.services.projectDeletion.finishDeletion(world.projectDeletions.messages[0]!)).resolves.toBe('deleted');
    expect(await world.projects.getIncludingDeleting(project.id)).toBeUndefined();
    expect(world.faqs.table.rows.size).toBe(0);
    expect(world.knowledgeBases.table.rows.size).toBe(0);
    await expect(world.services.projectDeletion.finishDeletion(world.projectDeletions.messages[0]!)).resolves.toBe('alreadyDeleted');
  });

  it('If-Match must match the project, as for a change; a mismatch leaves it and its keys alone', async () => {
    const { world, admin, org, project, key } = await projectWithData();
    await expect(world.services.projects.delete(admin, org.id, project.id, '"stale"')).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(world.services.apiKeys.authenticate(key.secret)).resolves.toMatchObject({ projectId: project.id });
    expect(world.projectDeletions.messages).toEqual([]);
    await world.services.projects.delete(admin, org.id, project.id, project.etag);
    expect(world.projectDeletions.messages).toHaveLength(1);
  });

  it('when the queue cannot take the message, the deletion still answers, and the sweep finishes it after an hour', async () => {
    const { world, admin, org, project } = await projectWithData();
    world.projectDeletions.failing = true;

    await world.services.projects.delete(admin, org.id, project.id, undefined);
    expect(world.logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('queueing a project deletion failed') }));

    await expect(world.services.projectDeletion.sweep()).resolves.toEqual({ projects: 0, failed: 0 });
    expect(await world.projects.getIncludingDeleting(project.id)).toBeDefined();
    world.clock.advance(HOUR);
    await expect(world.services.projectDeletion.sweep()).resolves.toEqual({ projects: 1, failed: 0 });
    expect(await world.projects.getIncludingDeleting(project.id)).toBeUndefined();
    expect(world.faqs.table.rows.size).toBe(0);
  });

  it('a message for a project that is not marked, or of another organization, deletes nothing', async () => {
    const { world, org, project } = await projectWithData();
    await expect(world.services.projectDeletion.finishDeletion({ orgId: org.id, projectId: project.id })).resolves.toBe('notMarked');
    expect(await world.projects.get(project.id)).toBeDefined();
    expect(world.faqs.table.rows.size).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { NotFoundError, PreconditionFailedError, ValidationError } from '../../../shared/domain/errors.js';
import { STOCK_COMPANIONS } from '../../../shared/domain/stock-companions.js';
import { AgentService } from '../../../shared/services/agent-service.js';
import { keyOf } from '../fakes/api-key-principals.js';
import { storedCompanion, storedTwin } from '../fakes/agent-fixtures.js';
import { createTestWorld, seedOrganization, type TestWorld } from '../fakes/test-services.js';

const page = { pageIndex: 0, pageSize: 20 };

async function seeded() {
  const world = createTestWorld();
  const seed = await seedOrganization(world);
  const other = await seedOrganization(world, 'Globex');
  const key = keyOf(seed.project);
  const companion = await storedCompanion(world, seed.project);
  return { world, ...seed, key, otherKey: keyOf(other.project), otherProject: other.project, companion };
}

/** A function, an FAQ collection and a knowledge base of the key's project. */
async function resources(world: TestWorld, key: ReturnType<typeof keyOf>) {
  const fn = await world.services.agentFunctions.create(key, { data: { name: `fn${world.agentFunctions.table.rows.size}` }, flow: 'implicit' });
  const faq = await world.services.faqs.create(key, { name: 'Billing', faqs: [{ question: 'How much?', answer: 'Little.' }] });
  const base = await world.services.knowledgeBases.create(key, { name: 'Manuals', provider: 'azureOpenAI' });
  return { fn, faq, base };
}

async function problemsOf(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).problems;
}

/** The AgentService over the same ports as the world's, with a smaller organization limit. */
function agentsLimitedTo(world: TestWorld, maxAgentsPerOrganization: number): AgentService {
  return new AgentService(world, { maxAgentsPerOrganization });
}

describe('agents', () => {
  it('when an agent is created from a ready companion and resources of its project, it keeps them with the defaults', async () => {
    const { world, key, otherKey, companion, project, org } = await seeded();
    const { fn, faq, base } = await resources(world, key);
    const agent = await world.services.agents.create(key, {
      companionId: companion.id,
      name: 'Front desk',
      language: 'de',
      voiceId: 'coral',
      functions: [fn.id],
      faqCollections: [faq.id],
      knowledgeBaseId: base.id,
      providerSettings: { instructions: 'Be brief.', temperature: 0.6, turnDetection: { type: 'semantic_vad', eagerness: 'low' }, noiseReduction: null },
      tags: { team: 'care' },
    });
    expect(agent).toMatchObject({
      id: expect.stringMatching(/^agent_/),
      projectId: project.id,
      orgId: org.id,
      companionId: companion.id,
      name: 'Front desk',
      language: 'de',
      voiceId: 'coral',
      functions: [fn.id],
      faqCollections: [faq.id],
      knowledgeBaseId: base.id,
      providerSettings: { instructions: 'Be brief.', temperature: 0.6, turnDetection: { type: 'semantic_vad', eagerness: 'low' } },
      disableIdleTimeout: false,
      idleTimeoutSeconds: 180,
      maxSessionSeconds: 3600,
      tags: { team: 'care' },
    });
    expect(agent.providerSettings).not.toHaveProperty('noiseReduction');
    expect((await world.services.agents.list(key, page)).items.map((a) => a.id)).toEqual([agent.id]);
    expect((await world.services.agents.list(otherKey, page)).totalCount).toBe(0);
    await expect(world.services.agents.get(otherKey, agent.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.agents.update(otherKey, agent.id, { name: 'x' }, undefined)).rejects.toBeInstanceOf(NotFoundError);
    await expect(world.services.agents.delete(otherKey, agent.id, undefined)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("when ids are unknown or belong to another project, creation fails naming each one, and nothing is created", async () => {
    const { world, key, otherKey, companion } = await seeded();
    const mine = await resources(world, key);
    const theirs = await resources(world, otherKey);
    const theirCompanion = await storedCompanion(world, { id: otherKey.projectId, orgId: otherKey.orgId });

    const problems = await problemsOf(
      world.services.agents.create(key, {
        companionId: theirCompanion.id,
        name: 'Borrower',
        voiceId: 'alloy',
        functions: [mine.fn.id, theirs.fn.id, 'fn_doesnotexist', mine.fn.id],
        faqCollections: [theirs.faq.id],
        knowledgeBaseId: theirs.base.id,
      }),
    );
    expect(problems).toEqual([
      { path: 'companionId', message: `${theirCompanion.id} is not a companion of this project` },
      { path: 'functions.3', message: `${mine.fn.id} is listed twice` },
      { path: 'functions.1', message: `${theirs.fn.id} is not a function of this project` },
      { path: 'functions.2', message: 'fn_doesnotexist is not a function of this project' },
      { path: 'faqCollections.0', message: `${theirs.faq.id} is not an FAQ collection of this project` },
      { path: 'knowledgeBaseId', message: `${theirs.base.id} is not a knowledge base of this project` },
    ]);
    expect(world.agents.table.rows.size).toBe(0);
    expect(world.agentSlots.table.rows.size).toBe(0);

    await world.services.knowledgeBases.delete(key, mine.base.id, undefined);
    expect(await problemsOf(world.services.agents.create(key, { companionId: companion.id, name: 'A', voiceId: 'alloy', knowledgeBaseId: mine.base.id }))).toEqual([
      { path: 'knowledgeBaseId', message: `${mine.base.id} is not a knowledge base of this project` },
    ]);
  });

  it('when the companion is still being generated or failed, creation fails with CompanionNotReady; stock companions can be used', async () => {
    const { world, key, project } = await seeded();
    for (const status of ['pending', 'generationCompleted', 'failed'] as const) {
      const companion = await storedCompanion(world, project, { status });
      await expect(world.services.agents.create(key, { companionId: companion.id, name: 'Early', voiceId: 'alloy' })).rejects.toMatchObject({
        code: 'CompanionNotReady',
      });
    }
    const completed = await storedCompanion(world, project, { status: 'completed' });
    expect((await world.services.agents.create(key, { companionId: completed.id, name: 'Done', voiceId: 'echo' })).companionId).toBe(completed.id);
    const stock = STOCK_COMPANIONS[0]!;
    expect((await world.services.agents.create(key, { companionId: stock.id, name: 'Stock', voiceId: 'sage' })).companionId).toBe(stock.id);
  });

  it("the voice is a standard voice, or left out or twin:<id> for a twin whose voice is ready; anything else is refused", async () => {
    const { world, key, project, companion } = await seeded();
    const create = (companionId: string, voiceId?: string) => world.services.agents.create(key, { companionId, name: 'Voice', voiceId });

    expect(await problemsOf(create(companion.id))).toEqual([{ path: 'voiceId', message: expect.stringContaining('is required unless') }]);
    expect(await problemsOf(create(companion.id, 'nova-deluxe'))).toEqual([{ path: 'voiceId', message: expect.stringContaining('GET /public/voices') }]);
    expect(await problemsOf(create(companion.id, `twin:${companion.id}`))).toEqual([
      { path: 'voiceId', message: 'names a twin voice, but the companion is not a digital twin' },
    ]);

    const twin = await storedTwin(world, project, 'ready');
    expect((await create(twin.id)).voiceId).toBeUndefined();
    expect((await create(twin.id, `twin:${twin.id}`)).voiceId).toBe(`twin:${twin.id}`);
    expect((await create(twin.id, 'marin')).voiceId).toBe('marin');
    expect(await problemsOf(create(twin.id, `twin:${companion.id}`))).toEqual([{ path: 'voiceId', message: expect.stringContaining("another companion's voice") }]);

    const unvoiced = await storedTwin(world, project, 'pending', 'pending-001');
    expect(await problemsOf(create(unvoiced.id))).toEqual([{ path: 'voiceId', message: expect.stringContaining('is required unless') }]);
    expect(await problemsOf(create(unvoiced.id, `twin:${unvoiced.id}`))).toEqual([{ path: 'voiceId', message: "names the twin's voice, which is not ready yet" }]);
    expect((await create(unvoiced.id, 'alloy')).voiceId).toBe('alloy');
  });

  it('when the organization holds its limit of agents, the next fails with AgentLimitExceeded in any of its projects until one is deleted', async () => {
    const { world, key, admin, org, companion } = await seeded();
    const agents = agentsLimitedTo(world, 3);
    const second = await world.services.projects.create(admin, org.id, { name: 'Second' });
    const secondKey = keyOf(second);
    const secondCompanion = await storedCompanion(world, second);
    const created = [
      await agents.create(key, { companionId: companion.id, name: 'a1', voiceId: 'alloy' }),
      await agents.create(key, { companionId: companion.id, name: 'a2', voiceId: 'alloy' }),
      await agents.create(secondKey, { companionId: secondCompanion.id, name: 'b1', voiceId: 'alloy' }),
    ];
    await expect(agents.create(secondKey, { companionId: secondCompanion.id, name: 'b2', voiceId: 'alloy' })).rejects.toMatchObject({
      code: 'AgentLimitExceeded',
      message: expect.stringContaining('at most 3 agents'),
    });
    await expect(agents.create(key, { companionId: companion.id, name: 'a3', voiceId: 'alloy' })).rejects.toMatchObject({ code: 'AgentLimitExceeded' });

    const globex = await seedOrganization(world, 'Initech');
    const theirCompanion = await storedCompanion(world, globex.project);
    expect((await agents.create(keyOf(globex.project), { companionId: theirCompanion.id, name: 'c1', voiceId: 'alloy' })).name).toBe('c1');

    await agents.delete(key, created[0]!.id, undefined);
    expect((await agents.create(secondKey, { companionId: secondCompanion.id, name: 'b2', voiceId: 'alloy' })).name).toBe('b2');
    expect((await world.agentSlots.get(org.id))?.slots).toHaveLength(3);
  });

  it('when creations race at the limit, exactly the limit of them succeed', async () => {
    const { world, key, companion, org } = await seeded();
    const agents = agentsLimitedTo(world, 3);
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => agents.create(key, { companionId: companion.id, name: `r${i}`, voiceId: 'alloy' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const rejected of results.filter((r) => r.status === 'rejected')) {
      expect(rejected).toMatchObject({ reason: { code: 'AgentLimitExceeded' } });
    }
    expect(world.agents.table.rows.size).toBe(3);
    expect((await world.agentSlots.get(org.id))?.slots).toHaveLength(3);
  });

  it('a slot is given back when creation fails, and slots of agents that never came to be or whose project is gone are reclaimed', async () => {
    const { world, key, admin, org, companion, project } = await seeded();
    const agents = agentsLimitedTo(world, 2);
    world.agents.beforeNextCreate = () => {
      throw new Error('store unavailable');
    };
    await expect(agents.create(key, { companionId: companion.id, name: 'lost', voiceId: 'alloy' })).rejects.toThrow('store unavailable');
    expect((await world.agentSlots.get(org.id))?.slots).toEqual([]);

    const doomed = await world.services.projects.create(admin, org.id, { name: 'Doomed' });
    const doomedCompanion = await storedCompanion(world, doomed);
    await agents.create(keyOf(doomed), { companionId: doomedCompanion.id, name: 'd1', voiceId: 'alloy' });
    const slots = await world.agentSlots.get(org.id);
    await world.agentSlots.replace({
      ...slots!,
      slots: [...slots!.slots, { agentId: 'agent_neverwritten', projectId: project.id, reservedAt: world.clock.now().toISOString() }],
    });
    await world.services.projects.delete(admin, org.id, doomed.id, undefined);

    await expect(agents.create(key, { companionId: companion.id, name: 'young orphans hold', voiceId: 'alloy' })).rejects.toMatchObject({
      code: 'AgentLimitExceeded',
    });
    world.clock.advance(11 * 60 * 1000);
    const kept = await agents.create(key, { companionId: companion.id, name: 'k1', voiceId: 'alloy' });
    expect((await world.agentSlots.get(org.id))?.slots.map((s) => s.agentId)).toEqual([kept.id]);
  });

  it('PATCH replaces arrays and tags, merges provider settings, null removes, and only changed references are checked again', async () => {
    const { world, key, companion, project } = await seeded();
    const a = await resources(world, key);
    const b = await resources(world, key);
    const agent = await world.services.agents.create(key, {
      companionId: companion.id,
      name: 'Desk',
      voiceId: 'alloy',
      language: 'en',
      functions: [a.fn.id, b.fn.id],
      faqCollections: [a.faq.id],
      knowledgeBaseId: a.base.id,
      providerSettings: { instructions: 'Be brief.', temperature: 1.2, noiseReduction: 'far_field' },
      tags: { team: 'care', tier: 'gold' },
    });
    world.clock.advance(1000);
    const changed = await world.services.agents.update(
      key,
      agent.id,
      {
        functions: [b.fn.id],
        faqCollections: [],
        knowledgeBaseId: null,
        language: null,
        providerSettings: { temperature: null, turnDetection: { type: 'server_vad', silenceDurationMs: 700 } },
        tags: { team: 'sales' },
        idleTimeoutSeconds: 60,
      },
      agent.etag,
    );
    expect(changed).toMatchObject({
      functions: [b.fn.id],
      faqCollections: [],
      providerSettings: { instructions: 'Be brief.', noiseReduction: 'far_field', turnDetection: { type: 'server_vad', silenceDurationMs: 700 } },
      tags: { team: 'sales' },
      idleTimeoutSeconds: 60,
      updated: '2025-01-01T00:00:01.000Z',
    });
    expect(changed.knowledgeBaseId).toBeUndefined();
    expect(changed.language).toBeUndefined();
    expect(changed.providerSettings.temperature).toBeUndefined();

    // The FAQ collection it no longer lists may go; a PATCH of the name does not look at the functions again.
    await world.services.faqs.delete(key, a.faq.id, undefined);
    const renamed = await world.services.agents.update(key, agent.id, { name: 'Front desk' }, undefined);
    expect(renamed.name).toBe('Front desk');
    expect(await problemsOf(world.services.agents.update(key, agent.id, { faqCollections: [a.faq.id] }, undefined))).toEqual([
      { path: 'faqCollections.0', message: `${a.faq.id} is not an FAQ collection of this project` },
    ]);
    expect(await problemsOf(world.services.agents.update(key, agent.id, { voiceId: null }, undefined))).toEqual([
      { path: 'voiceId', message: expect.stringContaining('is required unless') },
    ]);
    const pending = await storedCompanion(world, project, { status: 'pending' });
    await expect(world.services.agents.update(key, agent.id, { companionId: pending.id }, undefined)).rejects.toMatchObject({ code: 'CompanionNotReady' });

    const same = await world.services.agents.update(key, agent.id, { name: 'Front desk', tags: { team: 'sales' } }, undefined);
    expect(same.etag).toBe(renamed.etag);
    await expect(world.services.agents.update(key, agent.id, { name: 'Stale' }, agent.etag)).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(world.services.agents.delete(key, agent.id, agent.etag)).rejects.toBeInstanceOf(PreconditionFailedError);
    await world.services.agents.delete(key, agent.id, renamed.etag);
    await expect(world.services.agents.get(key, agent.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('when an agent uses the companion, deleting the companion fails with CompanionInUse naming the agent, until the agent is gone', async () => {
    const { world, key, otherKey, companion } = await seeded();
    const agent = await world.services.agents.create(key, { companionId: companion.id, name: 'Desk', voiceId: 'alloy' });
    const unused = await storedCompanion(world, { id: key.projectId, orgId: key.orgId });
    await storedCompanion(world, { id: otherKey.projectId, orgId: otherKey.orgId });

    const error = await world.services.companions.delete(key, companion.id, undefined).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CompanionInUse' });
    expect((error as Error).message).toContain(agent.id);
    expect((await world.services.companions.get(key, companion.id)).id).toBe(companion.id);
    expect(world.events.events.filter((e) => e.type === 'companion.deleted')).toEqual([]);

    await world.services.companions.delete(key, unused.id, undefined);
    await world.services.agents.delete(key, agent.id, undefined);
    await world.services.companions.delete(key, companion.id, undefined);
    await expect(world.services.companions.get(key, companion.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});

import type { Companion } from '../../../shared/domain/companion.js';
import { newId } from '../../../shared/domain/ids.js';
import type { Project } from '../../../shared/domain/project.js';
import type { TestWorld } from './test-services.js';

/** A companion stored as generation would leave it (ready to use unless told otherwise), without running generation. */
export async function storedCompanion(
  world: Pick<TestWorld, 'companions' | 'clock'>,
  project: Pick<Project, 'id' | 'orgId'>,
  overrides: Partial<Omit<Companion, 'id' | 'projectId' | 'orgId' | 'etag'>> = {},
): Promise<Companion> {
  const now = world.clock.now().toISOString();
  return world.companions.create({
    id: newId('comp'),
    projectId: project.id,
    orgId: project.orgId,
    personaType: 'companion',
    firstName: 'Ava',
    lastName: 'Bennett',
    description: 'A patient support specialist who explains fixes in plain steps.',
    headline: 'Support specialist',
    version: 'v1',
    tags: {},
    status: 'readyToUse',
    avatar: { views: {} },
    media: {},
    created: now,
    updated: now,
    ...overrides,
  });
}

/** A digital twin whose voice profile is in the given state. */
export async function storedTwin(
  world: Pick<TestWorld, 'companions' | 'clock'>,
  project: Pick<Project, 'id' | 'orgId'>,
  voiceStatus: 'pending' | 'ready' | 'failed',
  externalClientId = 'sarah-001',
): Promise<Companion> {
  return storedCompanion(world, project, {
    personaType: 'digitalTwin',
    firstName: 'Sarah',
    lastName: 'Johnson',
    externalClientId,
    status: voiceStatus === 'ready' ? 'completed' : 'readyToUse',
    voice: { status: voiceStatus },
  });
}

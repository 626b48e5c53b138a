import type { Database } from '@azure/cosmos';

export interface ContainerDefinition {
  readonly id: string;
  readonly partitionKeyPath: string;
  /** Why the container exists and why it is partitioned this way (for the deployment templates' readers). */
  readonly purpose: string;
}

/**
 * Every Cosmos DB container with its partition key: the one list the local emulator start-up, the integration
 * tests and the deployment templates create containers from. Later capabilities add theirs here.
 */
export const COSMOS_CONTAINERS = [
  {
    id: 'organizations',
    partitionKeyPath: '/id',
    purpose: 'Organizations, read by id.',
  },
  {
    id: 'member-rosters',
    partitionKeyPath: '/orgId',
    purpose: "One document per organization holding all its members, so role changes are atomic (last-admin rule).",
  },
  {
    id: 'memberships',
    partitionKeyPath: '/principalKey',
    purpose: 'Index of the organizations of each user (user:<id>) or invited email (email:<address>).',
  },
  {
    id: 'projects',
    partitionKeyPath: '/id',
    purpose: 'Projects, read by id from API keys and from /manage/projects/{projectId} routes.',
  },
  {
    id: 'api-keys',
    partitionKeyPath: '/projectId',
    purpose: "API key records (hash, prefix, LLM configuration with the sealed credential) and last-use times per project.",
  },
  {
    id: 'api-key-lookups',
    partitionKeyPath: '/id',
    purpose: 'One document per active key under the SHA-256 of its secret: authentication is one point read.',
  },
  {
    id: 'companions',
    partitionKeyPath: '/projectId',
    purpose: 'Companions and digital twins of a project; reads, lists and filters never leave the project partition.',
  },
  {
    id: 'companion-claims',
    partitionKeyPath: '/id',
    purpose:
      "Create-only claims of a digital twin's externalClientId, id derived from project and externalClientId: unique per project even under concurrent creates.",
  },
] as const satisfies readonly ContainerDefinition[];

export type ContainerId = (typeof COSMOS_CONTAINERS)[number]['id'];

/** Creates the database and every container when missing (locally and in tests; in Azure the deployment does it). */
export async function ensureContainers(database: Database): Promise<Database> {
  await database.client.databases.createIfNotExists({ id: database.id });
  for (const definition of COSMOS_CONTAINERS) {
    await database.containers.createIfNotExists({
      id: definition.id,
      partitionKey: { paths: [definition.partitionKeyPath] },
    });
  }
  return database;
}

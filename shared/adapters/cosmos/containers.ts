import type { Database, IndexingPolicy } from '@azure/cosmos';

export interface ContainerDefinition {
  readonly id: string;
  readonly partitionKeyPath: string;
  /** Why the container exists and why it is partitioned this way (for the deployment templates' readers). */
  readonly purpose: string;
  /** When set, replaces the default (index every path): large bodies nobody filters on stay out of the index. */
  readonly indexingPolicy?: IndexingPolicy;
  /** Seconds after which documents expire (the container's default time to live). */
  readonly defaultTtl?: number;
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
  {
    id: 'knowledge-bases',
    partitionKeyPath: '/projectId',
    purpose: 'Knowledge bases of a project, each holding its file slots, so the 30-file limit is one conditional write.',
  },
  {
    id: 'knowledge-files',
    partitionKeyPath: '/baseId',
    purpose: "Files of knowledge bases with their ingest status and summary; a base's files are one partition, listed in one query.",
  },
  {
    id: 'knowledge-chunks',
    partitionKeyPath: '/baseId',
    purpose:
      "Chunks of knowledge files, in one partition per base: the embedded index (the default) packs a file's chunks into page documents <fileId>:p<n> (text, page or section, base64 float32 embedding); KNOWLEDGE_INDEX=cosmos keeps one document per chunk (<fileId>:<index>) and needs the vector and full-text policies of knowledge-chunks-container.ts.",
  },
  {
    id: 'knowledge-index-state',
    partitionKeyPath: '/id',
    purpose:
      "One document per knowledge base whose ETag versions the base's chunks: instances of the embedded index check it (one point read) before answering from memory.",
  },
  {
    id: 'faqs',
    partitionKeyPath: '/projectId',
    purpose: 'FAQ collections of a project, each one document holding its pairs (at most 50) and their question embeddings.',
  },
  {
    id: 'functions',
    partitionKeyPath: '/projectId',
    purpose:
      'Functions (tools) of a project (headers sealed), and one create-only claim per function name (id derived from project and name): names are unique per project even under concurrent writes.',
  },
  {
    id: 'agents',
    partitionKeyPath: '/projectId',
    purpose: "Agents of a project; the checks that a companion or function is in use are queries inside the project's partition.",
  },
  {
    id: 'agent-slots',
    partitionKeyPath: '/orgId',
    purpose: 'One document per organization holding a slot per agent, so the 100-agents-per-organization limit is one conditional write.',
  },
  {
    id: 'sessions',
    partitionKeyPath: '/projectId',
    purpose:
      "Sessions of a project with their assembled configuration and transcript; reads come from a key or a session token of that project. The sweeper's one cross-partition query reads open sessions by nextCheckAt.",
    indexingPolicy: {
      indexingMode: 'consistent',
      automatic: true,
      includedPaths: [{ path: '/*' }],
      excludedPaths: [
        { path: '/transcript/*' },
        { path: '/events/*' },
        { path: '/assembled/*' },
        { path: '/pendingTurn/*' },
        { path: '/externalClientProfile/*' },
        { path: '/searchText/?' },
        { path: '/"_etag"/?' },
      ],
    },
  },
  {
    id: 'webhooks',
    partitionKeyPath: '/projectId',
    purpose:
      "Each project's webhook (at most one, document id `webhook`) with its sealed signing secret and, during a rotation, the previous one; read once per delivered event.",
  },
  {
    id: 'webhook-deliveries',
    partitionKeyPath: '/projectId',
    purpose:
      "One delivery record per webhook event (document id = event id), written conditionally at every attempt so a repeated queue message never delivers twice; listed newest first inside the project's partition.",
  },
  {
    id: 'connection-rates',
    partitionKeyPath: '/id',
    purpose:
      'Create-only documents <keyId>:<epoch second>:<n>, one per connection request allowed in that second: the per-key rate limit as a conditional write. They expire after a minute.',
    defaultTtl: 60,
  },
  {
    id: 'session-slots',
    partitionKeyPath: '/orgId',
    purpose: "One document per organization and channel type listing its open sessions; a reservation is one conditional patch (the concurrent-session limit).",
  },
  {
    id: 'client-memories',
    partitionKeyPath: '/projectId',
    purpose:
      "Memory of the person behind an externalClientId: one document per companion and externalClientId (id derived from both) holding facts and summaries tagged with the sessions they came from; read once per session assembly, written conditionally on its ETag.",
  },
  {
    id: 'marketplace-subscriptions',
    partitionKeyPath: '/id',
    purpose:
      'Create-only claims tying a Marketplace SaaS subscription (id = its subscription id) to the organization it created: the landing page is idempotent and the webhook finds the organization with one point read.',
  },
  {
    id: 'usage-contributions',
    partitionKeyPath: '/sessionId',
    purpose:
      "Usage of one session in one UTC hour (id = the hour's ISO start): seconds and billed minutes, partial while the session is open, final once it closed; create-only, replaced only by a newer revision.",
  },
  {
    id: 'usage-hours',
    partitionKeyPath: '/scope',
    purpose:
      "Hourly usage per scope (`resource:<billing resource id>` or `project:<id>`), id `<dimension>:<hour>`, holding each session's latest contribution and their sums (ETag-conditional); the `settled` partition marks hours whose sessions were all recorded before submission. Lists read one scope's partition.",
    indexingPolicy: {
      indexingMode: 'consistent',
      automatic: true,
      includedPaths: [{ path: '/*' }],
      excludedPaths: [{ path: '/sessions/*' }, { path: '/"_etag"/?' }],
    },
  },
  {
    id: 'metering-events',
    partitionKeyPath: '/resourceId',
    purpose:
      'Marketplace usage events per billing resource (id `<dimension>:<hour>`, frozen create-only before submission, then their status), and `carry:<dimension>` documents of expired quantities rolled into the next hour.',
  },
  {
    id: 'metering-batches',
    partitionKeyPath: '/id',
    purpose: 'One create-only record per batchUsageEvent call (at most 25 items), written before the call; a record left pending is sent again with the same items.',
  },
  {
    id: 'metering-reconciliations',
    partitionKeyPath: '/day',
    purpose: "The daily reconciliation of what the Marketplace accepted against its usage report (id = the UTC day).",
  },
] as const satisfies readonly ContainerDefinition[];

export type ContainerId = (typeof COSMOS_CONTAINERS)[number]['id'];

/** Creates the database and every container when missing (locally and in tests; in Azure the deployment does it). */
export async function ensureContainers(database: Database): Promise<Database> {
  await database.client.databases.createIfNotExists({ id: database.id });
  for (const definition of COSMOS_CONTAINERS) {
    const indexing: { indexingPolicy?: IndexingPolicy; defaultTtl?: number } = {
      ...('indexingPolicy' in definition ? { indexingPolicy: definition.indexingPolicy } : {}),
      ...('defaultTtl' in definition ? { defaultTtl: definition.defaultTtl } : {}),
    };
    await database.containers.createIfNotExists({
      id: definition.id,
      partitionKey: { paths: [definition.partitionKeyPath] },
      ...indexing,
    });
  }
  return database;
}

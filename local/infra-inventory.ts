import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COSMOS_CONTAINERS } from '../shared/adapters/cosmos/containers.js';
import { KNOWLEDGE_CHUNKS_CONTAINER } from '../shared/adapters/cosmos/knowledge-chunks-container.js';
import { STORAGE_QUEUES } from '../shared/adapters/queues.js';
import { settingsSchema } from '../shared/config.js';

/**
 * What the code uses that a deployment must create or set, read from the code itself: the deployment templates
 * (infra/) are checked against it by test/infra and rewritten from it by `npm run infra:sync`.
 */

/** The repository root (holding package.json), from sources (local/) and from the build (dist/local/) alike. */
export const REPO_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

export interface CosmosContainerSpec {
  readonly id: string;
  readonly partitionKeyPath: string;
  readonly indexingPolicy?: unknown;
  readonly defaultTtl?: number;
}

/** The generic containers (every one but knowledge-chunks, which has its own definition with vector policies). */
export function cosmosContainers(): CosmosContainerSpec[] {
  return COSMOS_CONTAINERS.filter((c) => c.id !== KNOWLEDGE_CHUNKS_CONTAINER.id).map((c) => ({
    id: c.id,
    partitionKeyPath: c.partitionKeyPath,
    ...('indexingPolicy' in c ? { indexingPolicy: c.indexingPolicy } : {}),
    ...('defaultTtl' in c ? { defaultTtl: c.defaultTtl } : {}),
  }));
}

/** knowledge-chunks as KNOWLEDGE_INDEX=cosmos needs it, in the shape of an ARM container resource. */
export function knowledgeChunksContainer(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(KNOWLEDGE_CHUNKS_CONTAINER)) as Record<string, unknown>;
}

/** The partition key of every Cosmos container the code names, knowledge-chunks included. */
export function cosmosPartitionKeys(): Map<string, string> {
  return new Map(COSMOS_CONTAINERS.map((c) => [c.id, c.partitionKeyPath]));
}

export function storageQueues(): { name: string }[] {
  return STORAGE_QUEUES.map((q) => ({ name: q.name }));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/**
 * Blob containers: every `export const …_CONTAINER = '<name>'` in shared/ (the code's convention for a container
 * name) and the container of every blob trigger path in functions/.
 */
export function blobContainers(): { name: string; declaredIn: string }[] {
  const found = new Map<string, string>();
  for (const file of sourceFiles(path.join(REPO_ROOT, 'shared'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(/export const [A-Z0-9_]+_CONTAINER\s*=\s*'([a-z0-9-]{3,63})'/g)) {
      found.set(match[1] as string, path.relative(REPO_ROOT, file));
    }
  }
  for (const file of sourceFiles(path.join(REPO_ROOT, 'functions'))) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes('app.storageBlob(')) continue;
    for (const match of text.matchAll(/path:\s*['`]([a-z0-9-]{3,63})\//g)) {
      found.set(match[1] as string, path.relative(REPO_ROOT, file));
    }
  }
  return [...found].map(([name, declaredIn]) => ({ name, declaredIn })).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Every setting the configuration reads: the schema's, and those read on their own when a function registers
 * (timer schedules read as `env['NAME']` or `scheduleSetting('NAME', …)` in shared/config.ts).
 */
export function configurationSettings(): string[] {
  const names = new Set(Object.keys(settingsSchema.shape));
  const source = readFileSync(path.join(REPO_ROOT, 'shared', 'config.ts'), 'utf8');
  for (const match of source.matchAll(/env\['([A-Za-z_][A-Za-z0-9_]*)'\]|scheduleSetting\('([A-Z][A-Z0-9_]*)'/g)) {
    names.add((match[1] ?? match[2]) as string);
  }
  return [...names];
}

/**
 * Settings of the schema a deployment deliberately leaves unset, each with why. Everything else the schema reads
 * must be an app setting of the template.
 */
export const SETTINGS_NOT_DEPLOYED: Readonly<Record<string, string>> = {
  AzureWebJobsStorage: 'identity-based storage: AzureWebJobsStorage__accountName and the service URIs instead of a connection string',
  COSMOS_KEY: 'the account has local (key) auth disabled; the managed identity has a Cosmos DB data role',
  COSMOS_EMULATOR_CERT_FILE: 'local only: the local Cosmos server certificate',
  COMPANION_DATA_DIR: 'local only: the emulators\' data folder',
  COMPANION_DEV_ADMIN_TOKEN: 'local only; refused in Azure',
  COMPANION_BOOTSTRAP_API_KEY: 'local only: the bootstrap tenant of npm start',
  COMPANION_ALLOW_PRIVATE_URLS: 'local only; refused in Azure',
  COMPANION_SECRET_KEY_FILE: 'local only: the key file that stands in for the Key Vault key',
  PORT: 'local host only; the Functions host owns the port in Azure',
  SPEECH_KEY: 'the managed identity is used (Cognitive Services Speech Contributor)',
  AZURE_OPENAI_API_KEY: 'the managed identity is used (Cognitive Services OpenAI User); the deployed account has local auth disabled',
  MARKETPLACE_API_URL: 'tests only: the default is the public Marketplace API',
  MARKETPLACE_AUTHORITY_URL: 'tests only: the default is Entra ID (login.microsoftonline.com)',
  MARKETPLACE_APP_ID: 'tests only: the default is the Marketplace\'s own application id',
  MARKETPLACE_WEBHOOK_JWKS_URL: 'tests only: the keys are found through the publisher tenant\'s OpenID configuration',
  MARKETPLACE_WEBHOOK_AUDIENCE: 'its default, MARKETPLACE_CLIENT_ID, is the deployment\'s',
  MARKETPLACE_PUBLISHER_TENANT_ID: 'its default, MARKETPLACE_TENANT_ID, is the deployment\'s',
  MANAGEMENT_API_URL: 'tests only: the default is Azure Resource Manager (management.azure.com)',
  WEBSITE_SITE_NAME: 'set by the platform',
  WEBSITE_INSTANCE_ID: 'set by the platform',
};

/** App settings the Functions host itself reads (not the code's schema): identity-based host storage and telemetry. */
export const HOST_SETTINGS: Readonly<Record<string, string>> = {
  AzureWebJobsStorage__credential: 'the host connects to storage with a managed identity',
  AzureWebJobsStorage__clientId: 'which (user-assigned) identity the host uses for storage',
  APPLICATIONINSIGHTS_CONNECTION_STRING: 'where the host and the worker send telemetry',
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Entra ID authentication of telemetry with the user-assigned identity',
};

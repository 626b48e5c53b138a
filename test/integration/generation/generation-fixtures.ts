import { BlobServiceClient } from '@azure/storage-blob';
import { InvocationContext } from '@azure/functions';
import { AzureCompanionAssetStore } from '../../../shared/adapters/companion-asset-blob-store.js';
import { CosmosCompanionRepository } from '../../../shared/adapters/cosmos/companion-repository.js';
import { CountedContainer } from '../../../shared/adapters/cosmos/counted-container.js';
import type { ApiKeyPrincipal } from '../../../shared/domain/api-key-principal.js';
import { companionBlobPrefix, type AvatarVersion, type Companion, type CompanionMedia, type MediaKind, type PersonaType } from '../../../shared/domain/companion.js';
import type { EventPublisher } from '../../../shared/domain/event-publisher.js';
import { newId } from '../../../shared/domain/ids.js';
import type { WebhookEvent } from '../../../shared/domain/webhook-event.js';
import type { Runtime } from '../../../shared/runtime.js';
import type { Registrations } from '../helpers/function-registrations.js';
import { invokeHttp, type Json } from '../helpers/http-harness.js';

/**
 * Shared by the generation integration tests: function registrations captured from `app.http`/`app.storageQueue`
 * (so the real handlers run as the host would call them), companions seeded as the media intake leaves them
 * (accepted files at `<projectId>/<companionId>/media/<kind>.<ext>`), and the events one runtime published.
 */

export type { Json, Registrations };

/** Records events in memory, so tests running in parallel never read each other's from the shared queue. */
export class RecordingEvents implements EventPublisher {
  readonly events: WebhookEvent[] = [];
  async publish(event: WebhookEvent): Promise<void> {
    this.events.push(structuredClone(event));
  }
  statusesOf(companionId: string): string[] {
    return this.events
      .filter((e) => (e.data.companion as { id: string }).id === companionId)
      .map((e) => `${e.type}:${(e.data.companion as { status: string }).status}`);
  }
}

export interface CallResult {
  readonly status: number;
  readonly headers: Headers;
  readonly json: Json | undefined;
  readonly bytes: Buffer;
}

async function bytesOf(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export function httpCaller(registrations: Registrations) {
  return async (
    name: string,
    init: { params?: Record<string, string>; headers?: Record<string, string>; body?: string | Buffer; query?: string } = {},
  ): Promise<CallResult> => {
    const body = init.body === undefined ? undefined : typeof init.body === 'string' ? { string: init.body } : { bytes: init.body };
    const response = await invokeHttp(name, { params: init.params, headers: init.headers, query: init.query, ...(body === undefined ? {} : { body }) }, registrations);
    const headers = new Headers(response.headers as Record<string, string>);
    const bytes = await bytesOf(response.body);
    const isJson = (headers.get('content-type') ?? '').includes('json');
    return { status: response.status ?? 200, headers, json: isJson && bytes.length > 0 ? (JSON.parse(bytes.toString('utf8')) as Json) : undefined, bytes };
  };
}

/** Runs a queue-triggered function with a message the way the host hands it over (the JSON parsed). */
export function queueRunner(registrations: Registrations) {
  return async (name: string, message: unknown, dequeueCount = 1): Promise<void> => {
    const registration = registrations.queues.get(name);
    if (registration === undefined) throw new Error(`no queue function ${name}`);
    const context = new InvocationContext({ invocationId: `it-${name}`, functionName: name, triggerMetadata: { dequeueCount } });
    await registration.handler(message, context);
  };
}

export function companionStore(runtime: Runtime, storageConnectionString: string) {
  return {
    companions: new CosmosCompanionRepository(new CountedContainer(runtime.cosmosDatabase.container('companions'))),
    assets: new AzureCompanionAssetStore(BlobServiceClient.fromConnectionString(storageConnectionString)),
    blobs: BlobServiceClient.fromConnectionString(storageConnectionString),
  };
}

export interface SeedOptions {
  readonly personaType?: PersonaType;
  readonly version?: AvatarVersion;
  readonly description?: string;
  /** Accepted files by kind: bytes, extension and content type, written where the intake puts them. */
  readonly media?: Partial<Record<MediaKind, { bytes: Buffer; extension: string; contentType: string; status?: CompanionMedia['status'] }>>;
  /** Write the media entries but not the files (a job that will fail on every try). */
  readonly skipFiles?: boolean;
}

/** A companion as the media intake leaves it when it queues generation: pending, its media accepted and stored. */
export async function seedCompanion(store: ReturnType<typeof companionStore>, principal: ApiKeyPrincipal, options: SeedOptions = {}): Promise<Companion> {
  const id = newId('comp');
  const prefix = companionBlobPrefix(principal.projectId, id);
  const media: Partial<Record<MediaKind, CompanionMedia>> = {};
  for (const [kind, file] of Object.entries(options.media ?? {}) as [MediaKind, NonNullable<SeedOptions['media']>[MediaKind]][]) {
    if (file === undefined) continue;
    const blobPath = `${prefix}media/${kind}.${file.extension}`;
    const status = file.status ?? 'accepted';
    if (status === 'accepted' && options.skipFiles !== true) await store.assets.write(blobPath, file.bytes, file.contentType);
    media[kind] = { source: 'upload', status, ...(status === 'accepted' ? { blobPath, contentType: file.contentType, sizeBytes: file.bytes.length } : {}) };
  }
  const personaType = options.personaType ?? 'companion';
  const now = new Date().toISOString();
  return store.companions.create({
    id,
    projectId: principal.projectId,
    orgId: principal.orgId,
    personaType,
    firstName: personaType === 'digitalTwin' ? 'Sarah' : 'Ava',
    lastName: personaType === 'digitalTwin' ? 'Johnson' : '',
    description: options.description ?? 'A friendly support guide with glasses who explains things step by step.',
    headline: '',
    gender: 'female',
    ethnicity: 'Caucasian',
    version: options.version ?? 'v1',
    tags: {},
    ...(personaType === 'digitalTwin' ? { externalClientId: `ext-${id.slice(5, 15)}`, voice: { status: 'pending' as const } } : {}),
    status: 'pending',
    avatar: { views: {} },
    media,
    created: now,
    updated: now,
  });
}

export function jobMessage(companion: Companion) {
  return { companionId: companion.id, projectId: companion.projectId, orgId: companion.orgId };
}

export async function blobNames(blobs: BlobServiceClient, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const item of blobs.getContainerClient('companions').listBlobsFlat({ prefix })) names.push(item.name);
  return names.sort();
}

import type { SqlParameter } from '@azure/cosmos';
import { z } from 'zod';
import {
  avatarVersionSchema,
  companionStatusSchema,
  genderSchema,
  mediaStatusSchema,
  personaTypeSchema,
  voiceProfileStatusSchema,
  type Companion,
  type NewCompanion,
} from '../../domain/companion.js';
import { searchTextOf, tagPairsOf, type CompanionFilter } from '../../domain/companion-filter.js';
import type { CompanionRepository } from '../../domain/companion-repository.js';
import { ConflictError } from '../../domain/errors.js';
import type { Page, PageRequest } from '../../domain/page.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';
import { listFilteredPageNewestFirst } from './top-n-paging.js';

const CONTAINER = 'companions';

const mediaDocument = z.object({
  source: z.enum(['url', 'upload']),
  url: z.string().optional(),
  blobPath: z.string().optional(),
  status: mediaStatusSchema,
  failureCode: z.string().optional(),
  contentType: z.string().optional(),
  sizeBytes: z.number().int().nonnegative().optional(),
  durationSeconds: z.number().nonnegative().optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  uploadDeadline: z.string().optional(),
});

const viewDocument = z.object({
  blobPath: z.string(),
  contentType: z.string(),
  width: z.number().int(),
  height: z.number().int(),
});

const voiceProfileDocument = z.discriminatedUnion('engine', [
  z.object({ engine: z.literal('local'), blobPath: z.string(), contentType: z.string() }),
  z.object({
    engine: z.literal('azurePersonalVoice'),
    personalVoiceId: z.string(),
    speakerProfileId: z.string(),
    consentId: z.string(),
    speechProjectId: z.string(),
  }),
]);

const companionDocument = z.object({
  id: z.string(),
  type: z.literal('companion'),
  projectId: z.string(),
  orgId: z.string(),
  personaType: personaTypeSchema,
  firstName: z.string(),
  lastName: z.string(),
  description: z.string(),
  headline: z.string(),
  gender: genderSchema.optional(),
  ethnicity: z.string().optional(),
  version: avatarVersionSchema,
  tags: z.record(z.string(), z.string()),
  externalClientId: z.string().optional(),
  status: companionStatusSchema,
  failureReason: z.string().optional(),
  warnings: z.array(z.object({ code: z.string(), message: z.string() })).optional(),
  previewUrl: z.string().optional(),
  avatar: z.object({
    views: z.object({ round: viewDocument.optional(), rectangle: viewDocument.optional(), silhouette: viewDocument.optional() }),
    job: z.object({ id: z.string(), submittedAt: z.string().optional() }).optional(),
  }),
  voice: z
    .object({ status: voiceProfileStatusSchema, failureReason: z.string().optional(), profile: voiceProfileDocument.optional() })
    .optional(),
  media: z.object({ picture: mediaDocument.optional(), video: mediaDocument.optional(), voice: mediaDocument.optional() }),
  mediaHandOff: z.object({ avatarGeneration: z.string().optional(), voiceProfile: z.string().optional() }).optional(),
  created: z.string(),
  updated: z.string(),
  _etag: z.string(),
});

function toCompanion(document: unknown): Companion {
  const { _etag, type: _type, ...d } = parseDocument(companionDocument, document, CONTAINER);
  return { ...d, etag: _etag };
}

/**
 * `searchText` and `tagPairs` are derived from the companion on every write, so that search and tag filters are plain
 * substring and array tests that the local Cosmos server and Cosmos DB answer alike.
 */
function toDocument(companion: NewCompanion) {
  return {
    id: companion.id,
    type: 'companion',
    projectId: companion.projectId,
    orgId: companion.orgId,
    personaType: companion.personaType,
    firstName: companion.firstName,
    lastName: companion.lastName,
    description: companion.description,
    headline: companion.headline,
    gender: companion.gender,
    ethnicity: companion.ethnicity,
    version: companion.version,
    tags: companion.tags,
    externalClientId: companion.externalClientId,
    status: companion.status,
    failureReason: companion.failureReason,
    warnings: companion.warnings,
    previewUrl: companion.previewUrl,
    avatar: companion.avatar,
    voice: companion.voice,
    media: companion.media,
    mediaHandOff: companion.mediaHandOff,
    created: companion.created,
    updated: companion.updated,
    searchText: searchTextOf(companion),
    tagPairs: tagPairsOf(companion.tags),
  };
}

/** The WHERE clause of a filtered list; it always starts with the partition key (see CountedContainer.query). */
function whereOf(projectId: string, filter: CompanionFilter): { where: string; parameters: SqlParameter[] } {
  const clauses = ['c.projectId = @projectId', "c.type = 'companion'"];
  const parameters: SqlParameter[] = [{ name: '@projectId', value: projectId }];
  if (filter.personaType !== undefined) {
    clauses.push('c.personaType = @personaType');
    parameters.push({ name: '@personaType', value: filter.personaType });
  }
  if (filter.statuses !== undefined && filter.statuses.length > 0) {
    clauses.push('ARRAY_CONTAINS(@statuses, c.status)');
    parameters.push({ name: '@statuses', value: [...filter.statuses] });
  }
  if (filter.gender !== undefined) {
    clauses.push('c.gender = @gender');
    parameters.push({ name: '@gender', value: filter.gender });
  }
  if (filter.ethnicity !== undefined) {
    clauses.push('c.ethnicity = @ethnicity');
    parameters.push({ name: '@ethnicity', value: filter.ethnicity });
  }
  if (filter.search !== undefined && filter.search !== '') {
    clauses.push('CONTAINS(c.searchText, @search)');
    parameters.push({ name: '@search', value: filter.search.toLowerCase() });
  }
  (filter.tags ?? []).forEach((tag, index) => {
    clauses.push(`ARRAY_CONTAINS(c.tagPairs, @tag${index})`);
    parameters.push({ name: `@tag${index}`, value: `${tag.key}:${tag.value}` });
  });
  return { where: clauses.join(' AND '), parameters };
}

/** Companions, partitioned by project: every read, list and filter stays inside the caller's project. */
export class CosmosCompanionRepository implements CompanionRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(projectId: string, companionId: string): Promise<Companion | undefined> {
    const document = await this.container.read(companionId, projectId);
    // A point read names the partition, but the check below keeps isolation independent of the server honouring it.
    if (document === undefined || document.projectId !== projectId) return undefined;
    return toCompanion(document);
  }

  async list(projectId: string, filter: CompanionFilter, page: PageRequest): Promise<Page<Companion>> {
    return listFilteredPageNewestFirst(
      this.container,
      { filtered: whereOf(projectId, filter), all: whereOf(projectId, {}), partitionKey: projectId, orderBy: 'created', page },
      toCompanion,
    );
  }

  async create(companion: NewCompanion): Promise<Companion> {
    try {
      return toCompanion(await this.container.create(toDocument(companion)));
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError('The companion already exists.');
      throw err;
    }
  }

  async replace(companion: Companion): Promise<Companion> {
    return toCompanion(
      await this.container.replace(companion.id, companion.projectId, toDocument(companion), companion.etag),
    );
  }

  async delete(projectId: string, companionId: string, expectedEtag?: string): Promise<void> {
    await this.container.delete(companionId, projectId, expectedEtag);
  }
}

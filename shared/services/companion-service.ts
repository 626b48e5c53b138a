import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { BlobStore } from '../domain/blob-store.js';
import type { Clock } from '../domain/clock.js';
import {
  COMPANION_MEDIA_CONTAINER,
  DEFAULT_AVATAR_VERSION,
  companionBlobPrefix,
  type AvatarVersion,
  type Companion,
  type CompanionChanges,
  type Gender,
  type MediaKind,
  type StockCompanion,
  type Tags,
} from '../domain/companion.js';
import type { CompanionFilter } from '../domain/companion-filter.js';
import { voiceProfileDeletionOf, type CompanionJobQueue } from '../domain/companion-jobs.js';
import { UPLOAD_FIRST_WAIT_MS } from '../domain/companion-media-intake.js';
import { likenessProblems, mediaFromUrls, mediaSourceProblems, mediaUrlProblems } from '../domain/companion-media-rules.js';
import type { CompanionRepository } from '../domain/companion-repository.js';
import { AGENTS_NAMED_IN_USE, companionInUse, type CompanionUsage } from '../domain/companion-usage.js';
import type { DigitalTwinClaimRepository } from '../domain/digital-twin-claim-repository.js';
import { ForbiddenError, NotFoundError, ValidationError, type FieldProblem } from '../domain/errors.js';
import type { EventPublisher } from '../domain/event-publisher.js';
import { newId } from '../domain/ids.js';
import type { Logger } from '../domain/logger.js';
import type { Page, PageRequest } from '../domain/page.js';
import { findStockCompanion } from '../domain/stock-companions.js';
import { publishCompanionEvent } from './companion-event-publishing.js';
import type { CompanionMediaIntake } from './companion-media-intake.js';
import { releaseExternalClientId } from './digital-twin-claims.js';
import { checkIfMatch, withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';

export interface NewCompanionInput {
  readonly description: string;
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
  readonly headline?: string | undefined;
  readonly gender?: Gender | undefined;
  readonly ethnicity?: string | undefined;
  readonly pictureUrl?: string | undefined;
  readonly videoUrl?: string | undefined;
  readonly version?: AvatarVersion | undefined;
  readonly tags?: Tags | undefined;
  /** Media the client will upload with `POST /public/companions/{id}/uploads` instead of giving a URL. */
  readonly uploads?: readonly MediaKind[] | undefined;
}

export interface CompanionServiceDeps {
  readonly companions: CompanionRepository;
  readonly twinClaims: DigitalTwinClaimRepository;
  readonly blobs: BlobStore;
  readonly events: EventPublisher;
  readonly mediaIntake: CompanionMediaIntake;
  /** The agents that use a companion: deleting one in use is refused (CompanionInUse). */
  readonly companionUsage: CompanionUsage;
  /** Where a deleted twin's voice profile deletion is queued (the speech service is never called inline). */
  readonly companionJobs: CompanionJobQueue;
  /** Local-only: media URLs may point to loopback HTTP (COMPANION_ALLOW_PRIVATE_URLS). */
  readonly allowPrivateUrls: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
}

function stockIsReadOnly(): ForbiddenError {
  return new ForbiddenError('Stock companions are read-only.');
}

/**
 * Companions of the API key's project. The project always comes from the key, so a companion of another project is
 * simply not found. Stock companions can be read by id from every project but never changed.
 */
export class CompanionService {
  constructor(private readonly deps: CompanionServiceDeps) {}

  async list(principal: ApiKeyPrincipal, filter: CompanionFilter, page: PageRequest): Promise<Page<Companion>> {
    return this.deps.companions.list(principal.projectId, filter, page);
  }

  async get(principal: ApiKeyPrincipal, companionId: string): Promise<Companion | StockCompanion> {
    return findStockCompanion(companionId) ?? this.companionOf(principal.projectId, companionId);
  }

  async create(principal: ApiKeyPrincipal, input: NewCompanionInput): Promise<Companion> {
    const version = input.version ?? DEFAULT_AVATAR_VERSION;
    const urls = { pictureUrl: input.pictureUrl, videoUrl: input.videoUrl };
    const uploads = input.uploads ?? [];
    const problems = [
      ...likenessProblems(version, urls, false, uploads),
      ...mediaSourceProblems('companion', urls, uploads),
      ...mediaUrlProblems(urls, this.deps.allowPrivateUrls),
    ];
    if (problems.length > 0) throw new ValidationError(problems);
    await this.deps.mediaIntake.checkMediaUrls(urls);

    const clockNow = this.deps.clock.now();
    const now = clockNow.toISOString();
    const uploadDeadline = new Date(clockNow.getTime() + UPLOAD_FIRST_WAIT_MS).toISOString();
    const created = await this.deps.companions.create({
      id: newId('comp'),
      projectId: principal.projectId,
      orgId: principal.orgId,
      personaType: 'companion',
      firstName: input.firstName ?? '',
      lastName: input.lastName ?? '',
      description: input.description,
      headline: input.headline ?? '',
      gender: input.gender,
      ethnicity: input.ethnicity,
      version,
      tags: input.tags ?? {},
      status: 'pending',
      avatar: { views: {} },
      // Entries wait as `awaiting` until the media intake fetches (or the client uploads) and checks them.
      media: mediaFromUrls(urls, uploads, uploadDeadline),
      created: now,
      updated: now,
    });
    const companion = await this.deps.mediaIntake.startIntake(created);
    await publishCompanionEvent(this.deps, 'companion.created', companion);
    return companion;
  }

  /** Changes what may change after creation; a change that changes nothing is not written and raises no event. */
  async update(
    principal: ApiKeyPrincipal,
    companionId: string,
    changes: CompanionChanges,
    ifMatch: string | undefined,
  ): Promise<Companion> {
    if (findStockCompanion(companionId) !== undefined) throw stockIsReadOnly();
    const { companion, changed } = await withOptimisticRetry(async () => {
      const current = await this.companionOf(principal.projectId, companionId);
      checkIfMatch(ifMatch, current.etag);
      const next: Companion = {
        ...current,
        headline: changes.headline ?? current.headline,
        description: changes.description ?? current.description,
        firstName: changes.firstName ?? current.firstName,
        lastName: changes.lastName ?? current.lastName,
        tags: changes.tags ?? current.tags,
      };
      const problems = identityProblems(next);
      if (problems.length > 0) throw new ValidationError(problems);
      if (!differs(current, next)) return { companion: current, changed: false };
      const saved = await writeOrRetry(() =>
        this.deps.companions.replace({ ...next, updated: this.deps.clock.now().toISOString() }),
      );
      return { companion: saved, changed: true };
    });
    if (changed) await publishCompanionEvent(this.deps, 'companion.updated', companion);
    return companion;
  }

  /**
   * Deletes a companion, its files and (for a twin) its externalClientId claim; refused while an agent uses it (409
   * CompanionInUse). Files go first, so a failure part-way leaves the companion in place and a retried DELETE finishes
   * the job; they are swept once more at the end for a background job that was still writing. A twin's voice profile
   * (a personal voice and its consent in the Speech resource) is deleted by a queue job, queued with what the record
   * says before anything is deleted: a slow or failing speech service never holds up the DELETE, and the deletion
   * is not lost when the service is down (the job retries, and waits while the companion still exists).
   */
  async delete(principal: ApiKeyPrincipal, companionId: string, ifMatch: string | undefined): Promise<void> {
    if (findStockCompanion(companionId) !== undefined) throw stockIsReadOnly();
    const current = await this.companionOf(principal.projectId, companionId);
    checkIfMatch(ifMatch, current.etag);
    const users = await this.deps.companionUsage.agentIdsUsingCompanion(current.projectId, current.id, AGENTS_NAMED_IN_USE);
    if (users.length > 0) throw companionInUse(users);
    const voiceDeletion = voiceProfileDeletionOf(current);
    if (voiceDeletion !== undefined) await this.deps.companionJobs.enqueue('voiceProfileDeletion', voiceDeletion);
    const prefix = companionBlobPrefix(current.projectId, current.id);
    await this.deps.blobs.deleteByPrefix(COMPANION_MEDIA_CONTAINER, prefix);
    await this.deps.companions.delete(current.projectId, current.id, ifMatch === undefined ? undefined : current.etag);
    if (current.externalClientId !== undefined) {
      await releaseExternalClientId(this.deps, current.projectId, current.externalClientId, current.id);
    }
    await this.deps.blobs.deleteByPrefix(COMPANION_MEDIA_CONTAINER, prefix);
    await publishCompanionEvent(this.deps, 'companion.deleted', current);
  }

  private async companionOf(projectId: string, companionId: string): Promise<Companion> {
    const companion = await this.deps.companions.get(projectId, companionId);
    if (companion === undefined) throw new NotFoundError('Companion');
    return companion;
  }
}

/** A digital twin keeps every identity field (seed: all are required for twins). */
function identityProblems(companion: Companion): FieldProblem[] {
  if (companion.personaType !== 'digitalTwin') return [];
  const problems: FieldProblem[] = [];
  if (companion.firstName === '') problems.push({ path: 'firstName', message: 'is required for a digital twin' });
  if (companion.lastName === '') problems.push({ path: 'lastName', message: 'is required for a digital twin' });
  return problems;
}

function differs(a: Companion, b: Companion): boolean {
  return (
    a.headline !== b.headline ||
    a.description !== b.description ||
    a.firstName !== b.firstName ||
    a.lastName !== b.lastName ||
    JSON.stringify(Object.entries(a.tags).sort()) !== JSON.stringify(Object.entries(b.tags).sort())
  );
}

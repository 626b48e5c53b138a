import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { Clock } from '../domain/clock.js';
import { DEFAULT_AVATAR_VERSION, type AvatarVersion, type Companion, type Gender, type MediaKind, type Tags } from '../domain/companion.js';
import { UPLOAD_FIRST_WAIT_MS } from '../domain/companion-media-intake.js';
import { likenessProblems, mediaFromUrls, mediaSourceProblems, mediaUrlProblems } from '../domain/companion-media-rules.js';
import type { CompanionRepository } from '../domain/companion-repository.js';
import type { DigitalTwinClaimRepository } from '../domain/digital-twin-claim-repository.js';
import { ForbiddenError, ValidationError } from '../domain/errors.js';
import type { EventPublisher } from '../domain/event-publisher.js';
import { newId } from '../domain/ids.js';
import type { Logger } from '../domain/logger.js';
import { publishCompanionEvent } from './companion-event-publishing.js';
import type { CompanionMediaIntake } from './companion-media-intake.js';
import type { DigitalTwinConsentService } from './digital-twin-consent-service.js';
import { claimExternalClientId, releaseAfterFailedCreation } from './digital-twin-claims.js';

/**
 * `POST /public/digital-twins` as seed `digital-twins.txt` describes it, plus `uploads`: the voice and the likeness
 * may each be declared as an upload instead of given by URL (one way or the other, both are required).
 */
export interface NewDigitalTwinInput {
  readonly firstName: string;
  readonly lastName: string;
  readonly description: string;
  readonly gender: Gender;
  readonly ethnicity: string;
  readonly voiceUrl?: string | undefined;
  readonly externalClientId: string;
  readonly pictureUrl?: string | undefined;
  readonly videoUrl?: string | undefined;
  readonly version?: AvatarVersion | undefined;
  readonly tags?: Tags | undefined;
  /** Media the client will upload with `POST /public/companions/{id}/uploads` instead of giving a URL. */
  readonly uploads?: readonly MediaKind[] | undefined;
}

export interface DigitalTwinServiceDeps {
  readonly consent: DigitalTwinConsentService;
  readonly companions: CompanionRepository;
  readonly twinClaims: DigitalTwinClaimRepository;
  readonly events: EventPublisher;
  readonly mediaIntake: CompanionMediaIntake;
  readonly allowPrivateUrls: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Digital twins: companions cloned from a real person's voice and likeness, once an org admin has consented. */
export class DigitalTwinService {
  constructor(private readonly deps: DigitalTwinServiceDeps) {}

  async create(principal: ApiKeyPrincipal, input: NewDigitalTwinInput): Promise<Companion> {
    if (!(await this.deps.consent.isGranted(principal.orgId))) {
      throw new ForbiddenError(
        'Digital twins need an organization admin’s consent first (PUT /manage/orgs/{orgId}/digital-twin-consent).',
        'DigitalTwinConsentRequired',
      );
    }
    const version = input.version ?? DEFAULT_AVATAR_VERSION;
    const urls = { voiceUrl: input.voiceUrl, pictureUrl: input.pictureUrl, videoUrl: input.videoUrl };
    const uploads = input.uploads ?? [];
    const problems = [
      ...likenessProblems(version, urls, true, uploads),
      ...mediaSourceProblems('digitalTwin', urls, uploads),
      ...mediaUrlProblems(urls, this.deps.allowPrivateUrls),
    ];
    if (problems.length > 0) throw new ValidationError(problems);
    await this.deps.mediaIntake.checkMediaUrls(urls);

    const { projectId, orgId } = principal;
    const companionId = newId('comp');
    await claimExternalClientId(this.deps, projectId, input.externalClientId, companionId);
    let companion: Companion;
    try {
      const clockNow = this.deps.clock.now();
      const now = clockNow.toISOString();
      const uploadDeadline = new Date(clockNow.getTime() + UPLOAD_FIRST_WAIT_MS).toISOString();
      companion = await this.deps.companions.create({
        id: companionId,
        projectId,
        orgId,
        personaType: 'digitalTwin',
        firstName: input.firstName,
        lastName: input.lastName,
        description: input.description,
        headline: '',
        gender: input.gender,
        ethnicity: input.ethnicity,
        version,
        tags: input.tags ?? {},
        externalClientId: input.externalClientId,
        status: 'pending',
        avatar: { views: {} },
        voice: { status: 'pending' },
        // Entries wait as `awaiting` until the media intake fetches (or the client uploads) and checks them.
        media: mediaFromUrls(urls, uploads, uploadDeadline),
        created: now,
        updated: now,
      });
    } catch (err) {
      await releaseAfterFailedCreation(this.deps, projectId, input.externalClientId, companionId);
      throw err;
    }
    companion = await this.deps.mediaIntake.startIntake(companion);
    await publishCompanionEvent(this.deps, 'companion.created', companion);
    return companion;
  }
}

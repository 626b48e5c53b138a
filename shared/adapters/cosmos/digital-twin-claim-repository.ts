import { z } from 'zod';
import { digitalTwinClaimId, type DigitalTwinClaim, type NewDigitalTwinClaim } from '../../domain/digital-twin-claim.js';
import type { DigitalTwinClaimRepository } from '../../domain/digital-twin-claim-repository.js';
import { ConflictError } from '../../domain/errors.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';

const CONTAINER = 'companion-claims';

/** Id and partition key are both derived from project and externalClientId: claiming is one create-only write. */
const claimDocument = z.object({
  id: z.string(),
  type: z.literal('digitalTwinClaim'),
  projectId: z.string(),
  externalClientId: z.string(),
  companionId: z.string(),
  createdAt: z.string(),
  _etag: z.string(),
});

function toClaim(document: unknown): DigitalTwinClaim {
  const d = parseDocument(claimDocument, document, CONTAINER);
  return {
    projectId: d.projectId,
    externalClientId: d.externalClientId,
    companionId: d.companionId,
    createdAt: d.createdAt,
    etag: d._etag,
  };
}

export class CosmosDigitalTwinClaimRepository implements DigitalTwinClaimRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(projectId: string, externalClientId: string): Promise<DigitalTwinClaim | undefined> {
    const id = digitalTwinClaimId(projectId, externalClientId);
    const document = await this.container.read(id, id);
    return document === undefined ? undefined : toClaim(document);
  }

  async create(claim: NewDigitalTwinClaim): Promise<DigitalTwinClaim> {
    const id = digitalTwinClaimId(claim.projectId, claim.externalClientId);
    try {
      return toClaim(
        await this.container.create({
          id,
          type: 'digitalTwinClaim',
          projectId: claim.projectId,
          externalClientId: claim.externalClientId,
          companionId: claim.companionId,
          createdAt: claim.createdAt,
        }),
      );
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError('The externalClientId is already claimed in the project.');
      throw err;
    }
  }

  async delete(projectId: string, externalClientId: string, expectedEtag?: string): Promise<void> {
    const id = digitalTwinClaimId(projectId, externalClientId);
    await this.container.delete(id, id, expectedEtag);
  }
}

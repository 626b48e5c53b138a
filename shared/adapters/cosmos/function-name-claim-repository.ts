import { z } from 'zod';
import { ConflictError } from '../../domain/errors.js';
import type { FunctionNameClaim, NewFunctionNameClaim } from '../../domain/function-name-claim.js';
import type { FunctionNameClaimRepository } from '../../domain/function-name-claim-repository.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';

const CONTAINER = 'functions';

/**
 * Claims live beside the functions, in the project's partition. The id holds the project as well as the name, so it
 * is unique even on a server that does not scope ids to partitions, and its `.` cannot occur in a generated
 * function id nor be forged by either part (both are restricted to `[A-Za-z0-9_-]`).
 */
function claimIdOf(projectId: string, name: string): string {
  return `fnname.${projectId}.${name}`;
}

const claimDocument = z.object({
  id: z.string(),
  type: z.literal('functionNameClaim'),
  projectId: z.string(),
  name: z.string(),
  functionId: z.string(),
  createdAt: z.string(),
  _etag: z.string(),
});

function toClaim(document: unknown): FunctionNameClaim {
  const d = parseDocument(claimDocument, document, CONTAINER);
  return { projectId: d.projectId, name: d.name, functionId: d.functionId, createdAt: d.createdAt, etag: d._etag };
}

export class CosmosFunctionNameClaimRepository implements FunctionNameClaimRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(projectId: string, name: string): Promise<FunctionNameClaim | undefined> {
    const document = await this.container.read(claimIdOf(projectId, name), projectId);
    if (document === undefined || document.projectId !== projectId) return undefined;
    return toClaim(document);
  }

  async create(claim: NewFunctionNameClaim): Promise<FunctionNameClaim> {
    try {
      return toClaim(
        await this.container.create({
          id: claimIdOf(claim.projectId, claim.name),
          type: 'functionNameClaim',
          projectId: claim.projectId,
          name: claim.name,
          functionId: claim.functionId,
          createdAt: claim.createdAt,
        }),
      );
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError('The function name is already claimed in the project.');
      throw err;
    }
  }

  async delete(projectId: string, name: string, expectedEtag?: string): Promise<void> {
    await this.container.delete(claimIdOf(projectId, name), projectId, expectedEtag);
  }
}

import type { AgentFunctionRepository } from '../domain/agent-function-repository.js';
import type { Clock } from '../domain/clock.js';
import { ConflictError, PreconditionFailedError } from '../domain/errors.js';
import { ORPHANED_FUNCTION_NAME_CLAIM_AFTER_MS } from '../domain/function-name-claim.js';
import type { FunctionNameClaimRepository } from '../domain/function-name-claim-repository.js';
import type { Logger } from '../domain/logger.js';

export interface FunctionNameClaimDeps {
  readonly functionNameClaims: FunctionNameClaimRepository;
  readonly agentFunctions: AgentFunctionRepository;
  readonly clock: Clock;
  readonly logger: Logger;
}

export function functionNameTaken(name: string): ConflictError {
  return new ConflictError(`The project already has a function named ${name}.`, 'FunctionNameTaken');
}

/**
 * Claims `name` in the project for the function about to take it (by creation or rename), or throws
 * FunctionNameTaken. The claim is a create-only document, so of two concurrent writes exactly one gets it. A claim
 * the same function already holds is kept; one left behind by a write that failed half-way (old, and its function
 * does not exist or has another name) is taken over.
 */
export async function claimFunctionName(deps: FunctionNameClaimDeps, projectId: string, name: string, functionId: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      await deps.functionNameClaims.create({ projectId, name, functionId, createdAt: deps.clock.now().toISOString() });
      return;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
    const existing = await deps.functionNameClaims.get(projectId, name);
    if (existing === undefined) continue;
    if (existing.functionId === functionId) return;
    const age = deps.clock.now().getTime() - Date.parse(existing.createdAt);
    if (age < ORPHANED_FUNCTION_NAME_CLAIM_AFTER_MS) throw functionNameTaken(name);
    const holder = await deps.agentFunctions.get(projectId, existing.functionId);
    if (holder?.name === name) throw functionNameTaken(name);
    try {
      await deps.functionNameClaims.delete(projectId, name, existing.etag);
    } catch (err) {
      // Another request took the orphaned claim over first; the next attempt sees its claim.
      if (!(err instanceof PreconditionFailedError)) throw err;
    }
  }
  throw functionNameTaken(name);
}

/** Frees `name` when it is still held for this function. Never frees a claim that another function holds. */
export async function releaseFunctionName(deps: FunctionNameClaimDeps, projectId: string, name: string, functionId: string): Promise<void> {
  const claim = await deps.functionNameClaims.get(projectId, name);
  if (claim === undefined || claim.functionId !== functionId) return;
  try {
    await deps.functionNameClaims.delete(projectId, name, claim.etag);
  } catch (err) {
    if (!(err instanceof PreconditionFailedError)) throw err;
  }
}

/**
 * Frees `name` unless the function now has it: after a write that failed (the function may or may not have taken
 * the name), after a rename (the old name), and after a deletion. Failing to free it must not hide the outcome: left
 * as is, the claim counts as orphaned once it is old enough and is then taken over.
 */
export async function releaseFunctionNameUnlessHeld(deps: FunctionNameClaimDeps, projectId: string, name: string, functionId: string): Promise<void> {
  try {
    const fn = await deps.agentFunctions.get(projectId, functionId);
    if (fn?.name === name) return;
    await releaseFunctionName(deps, projectId, name, functionId);
  } catch (err) {
    deps.logger.warn('releasing a function name claim failed', { projectId, functionId, err });
  }
}

import { ConflictError, PreconditionFailedError } from '../domain/errors.js';
import { ifMatchSatisfied } from '../domain/etag.js';

/** Internal signal: a conditional write lost a race with another writer; the whole read-modify-write is retried. */
class StaleWrite extends Error {
  constructor() {
    super('stale write');
    this.name = 'StaleWrite';
  }
}

/**
 * Runs a conditional write whose ETag came from our own read (not from the client's If-Match): losing the race means
 * "read again and retry", so the store's PreconditionFailedError becomes a retry signal instead of a 412.
 */
export async function writeOrRetry<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof PreconditionFailedError) throw new StaleWrite();
    throw err;
  }
}

/**
 * Repeats a read-modify-write while writeOrRetry reports a lost race. Other errors, including a client's If-Match
 * mismatch (a PreconditionFailedError thrown by the operation itself), end it at once.
 */
export async function withOptimisticRetry<T>(operation: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (err) {
      if (!(err instanceof StaleWrite)) throw err;
      if (attempt >= attempts) {
        throw new ConflictError('The resource is being changed by another request; retry.', 'ConcurrentModification');
      }
    }
  }
}

/** The client's If-Match, when given, must admit the current ETag (see ifMatchSatisfied). */
export function checkIfMatch(ifMatch: string | undefined, currentEtag: string): void {
  if (ifMatch !== undefined && !ifMatchSatisfied(ifMatch, currentEtag)) throw new PreconditionFailedError();
}

import { AsyncLocalStorage } from 'node:async_hooks';

/** The ids that tie a log line to the Functions invocation that wrote it and to the caller's own logs. */
export interface InvocationScope {
  readonly invocationId: string;
  readonly functionName: string;
  /** The HTTP edge's correlation id (x-correlation-id, traceparent's trace id, else the invocation id). */
  readonly correlationId: string;
}

const storage = new AsyncLocalStorage<InvocationScope>();

/** Runs `work` (and everything it awaits or schedules) inside the invocation's scope. */
export function runInInvocationScope<T>(scope: InvocationScope, work: () => T): T {
  return storage.run(scope, work);
}

/** The scope of the invocation running now; undefined outside of one (start-up, the local tooling). */
export function currentInvocationScope(): InvocationScope | undefined {
  return storage.getStore();
}

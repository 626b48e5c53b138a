import { createRequire } from 'node:module';
import { app, type FunctionHandler, type PreInvocationContext } from '@azure/functions';
import { runInInvocationScope, type InvocationScope } from '../adapters/observability/invocation-scope.js';
import { correlationIdOf } from './correlation.js';

/**
 * Runs every function invocation (HTTP, queue, blob, timer) inside its invocation scope, so that each structured log
 * line and metric written while it runs carries its invocation id, function name and correlation id. The correlation
 * id of an HTTP call is the one the edge answers with (X-Correlation-Id); other triggers use the invocation id.
 */
export function scopeOfInvocation(context: Pick<PreInvocationContext, 'invocationContext' | 'inputs'>): InvocationScope {
  const { invocationId, functionName } = context.invocationContext;
  const request = context.inputs[0] as { headers?: unknown } | undefined;
  const correlationId = request?.headers instanceof Headers ? correlationIdOf(request.headers, invocationId) : invocationId;
  return { invocationId, functionName, correlationId };
}

export function wrapInInvocationScope(context: PreInvocationContext): void {
  const scope = scopeOfInvocation(context);
  const handler = context.functionHandler;
  const scoped: FunctionHandler = (...args: Parameters<FunctionHandler>) => runInInvocationScope(scope, () => handler(...args));
  context.functionHandler = scoped;
}

/**
 * Whether a Functions worker (Azure's, or local/functions-core) provides `@azure/functions-core`. Asked through our
 * own require: `@azure/functions` remembers a miss for the life of the process, which would break registrations made
 * after a late install of the local core.
 */
function workerPresent(): boolean {
  try {
    createRequire(import.meta.url)('@azure/functions-core');
    return true;
  } catch {
    return false;
  }
}

let registered = false;

/** Registers the hook once per process, when a worker is there to run it (not in unit tests of the edge). */
export function registerInvocationScopeHook(): void {
  if (registered || !workerPresent()) return;
  registered = true;
  app.hook.preInvocation(wrapInInvocationScope);
}

import { HttpRequest, InvocationContext, PreInvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { currentInvocationScope } from '../../../shared/adapters/observability/invocation-scope.js';
import { wrapInInvocationScope } from '../../../shared/http/invocation-scope-hook.js';

function preInvocation(inputs: unknown[], functionName: string): PreInvocationContext {
  const context = new PreInvocationContext({ invocationContext: new InvocationContext({ invocationId: 'inv-42', functionName }), inputs });
  // The function itself: it answers the scope it runs in, after an await, as a real handler would log.
  context.functionHandler = async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return currentInvocationScope();
  };
  return context;
}

describe('the invocation scope hook', () => {
  it('runs an HTTP invocation in a scope whose correlation id is the caller\'s, as the edge answers it', async () => {
    const request = new HttpRequest({ url: 'http://localhost/health', method: 'GET', headers: { 'x-correlation-id': 'caller-7' } });
    const context = preInvocation([request], 'health');
    wrapInInvocationScope(context);
    await expect(context.functionHandler(request, context.invocationContext)).resolves.toEqual({
      invocationId: 'inv-42',
      functionName: 'health',
      correlationId: 'caller-7',
    });
  });

  it('runs a queue invocation in a scope correlated by its invocation id, and leaves nothing behind', async () => {
    const context = preInvocation([{ eventId: 'evt-1' }], 'session-events');
    wrapInInvocationScope(context);
    await expect(context.functionHandler({ eventId: 'evt-1' }, context.invocationContext)).resolves.toEqual({
      invocationId: 'inv-42',
      functionName: 'session-events',
      correlationId: 'inv-42',
    });
    expect(currentInvocationScope()).toBeUndefined();
  });
});

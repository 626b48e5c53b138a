import { describe, expect, it } from 'vitest';
import { createGuardedFetcher } from '../../../shared/adapters/outbound/guarded-fetcher.js';
import { createGuardedWebSocketCaller } from '../../../shared/adapters/outbound/guarded-websocket-caller.js';
import type { AgentFunction } from '../../../shared/domain/agent-function.js';
import type { ResolvedAddress } from '../../../shared/adapters/outbound/outbound-target.js';
import { FunctionInvoker } from '../../../shared/services/function-invoker.js';
import { InMemoryAgentFunctionRepository } from '../fakes/in-memory-agent-ports.js';
import { ReversibleTestSealer } from '../fakes/in-memory-ports.js';
import { ManualClock, RecordingLogger } from '../fakes/test-services.js';

/** Explicit function calls refused at call time: the name now resolves somewhere it must not (DNS rebinding). */
function invokerResolvingTo(address: ResolvedAddress) {
  const functions = new InMemoryAgentFunctionRepository();
  const resolve = async () => [address];
  const invoker = new FunctionInvoker({
    agentFunctions: functions,
    sealer: new ReversibleTestSealer(),
    fetcher: createGuardedFetcher({ allowPrivateUrls: false, resolve }),
    webSockets: createGuardedWebSocketCaller({ allowPrivateUrls: false, resolve }),
    clock: new ManualClock(),
    logger: new RecordingLogger(),
  });
  return { functions, invoker };
}

async function explicitFunction(functions: InMemoryAgentFunctionRepository, id: string, url: string): Promise<AgentFunction> {
  return functions.create({
    id,
    projectId: 'p1',
    orgId: 'o1',
    name: id,
    flow: 'explicit',
    url,
    headerNames: [],
    timeoutMs: 1000,
    created: '2025-01-01T00:00:00.000Z',
    updated: '2025-01-01T00:00:00.000Z',
  });
}

const context = { sessionId: 'sess_1', tags: {} };

describe('FunctionInvoker', () => {
  it('refuses, as a tool result, an endpoint whose name now resolves to a private or metadata address', async () => {
    for (const address of [
      { address: '10.1.2.3', family: 4 as const },
      { address: '169.254.169.254', family: 4 as const },
      { address: '127.0.0.1', family: 4 as const },
    ]) {
      const { functions, invoker } = invokerResolvingTo(address);
      await explicitFunction(functions, 'fn_https', 'https://tools.contoso.example/run');
      await explicitFunction(functions, 'fn_wss', 'wss://tools.contoso.example/socket');
      for (const id of ['fn_https', 'fn_wss']) {
        const result = await invoker.invoke('p1', id, { callId: 'c1', name: id, arguments: '{}' }, context);
        expect(result, `${id} → ${address.address}`).toMatchObject({
          outcome: 'refused',
          output: JSON.stringify({ error: "the function's endpoint address is not allowed" }),
        });
      }
    }
  });

  it('tells the model when the arguments are not JSON or the function is gone, without calling anything', async () => {
    const { functions, invoker } = invokerResolvingTo({ address: '93.184.215.14', family: 4 });
    await explicitFunction(functions, 'fn_1', 'https://tools.contoso.example/run');
    await expect(invoker.invoke('p1', 'fn_1', { callId: 'c1', name: 'fn_1', arguments: '{not json' }, context)).resolves.toMatchObject({
      outcome: 'error',
      output: expect.stringContaining('not valid JSON'),
    });
    await expect(invoker.invoke('p1', 'fn_gone', { callId: 'c2', name: 'fn_gone', arguments: '{}' }, context)).resolves.toMatchObject({
      outcome: 'error',
      output: JSON.stringify({ error: 'the function no longer exists' }),
    });
    // Another project's function is not found either.
    await expect(invoker.invoke('p2', 'fn_1', { callId: 'c3', name: 'fn_1', arguments: '{}' }, context)).resolves.toMatchObject({ outcome: 'error' });
  });
});

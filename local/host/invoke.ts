import { randomBytes, randomUUID } from 'node:crypto';
import type {
  CoreInvocationContext,
  FunctionCallback,
  HookContext,
  HookData,
  HookName,
  PostInvocationContext,
  PreInvocationContext,
  RpcInvocationResponse,
  RpcLogCategory,
  RpcLogLevel,
  RpcParameterBinding,
  RpcRetryContext,
  RpcTypedData,
} from '@azure/functions-core';
import type { FunctionRegistration, FunctionsCoreRegistry } from '../functions-core/index.js';

export interface InvocationInput {
  readonly invocationId?: string;
  readonly inputData: RpcParameterBinding[];
  readonly triggerMetadata: Record<string, RpcTypedData>;
  readonly retryContext?: RpcRetryContext;
}

export interface InvokeOptions {
  /**
   * Called with the handler's result after the postInvocation hooks and before `getResponse`. In HTTP
   * stream mode `getResponse` only returns once the whole body went through the proxy, so the host needs
   * to know earlier whether a response is coming at all.
   */
  readonly onResult?: (result: unknown) => void;
}

/** Thrown for a failed invocation; `cause` is what the handler or a hook threw. */
export class InvocationFailedError extends Error {
  override readonly name = 'InvocationFailedError';
  constructor(
    readonly functionName: string,
    readonly invocationId: string,
    cause: unknown,
  ) {
    super(`Function "${functionName}" failed (invocation ${invocationId}).`, { cause });
  }
}

export function newInvocationId(): string {
  return randomUUID();
}

async function runHooks(registry: FunctionsCoreRegistry, name: HookName, context: HookContext): Promise<void> {
  // Sequential and blocking, in registration order, as in the worker: a throwing hook fails the invocation.
  for (const hook of [...registry.hooksFor(name)]) {
    await hook(context);
  }
}

/**
 * Runs one invocation the way the Node.js worker does: the programming model builds the arguments from
 * RPC-shaped input, preInvocation hooks may replace inputs and callback, postInvocation hooks may replace
 * result and error, and the model turns the result into the RPC response.
 */
export async function invokeRegistration(
  registry: FunctionsCoreRegistry,
  registration: FunctionRegistration,
  input: InvocationInput,
  options: InvokeOptions = {},
): Promise<RpcInvocationResponse> {
  const { metadata } = registration;
  const invocationId = input.invocationId ?? newInvocationId();
  const functionId = metadata.functionId ?? metadata.name;
  let invocationContext: unknown;

  const coreContext: CoreInvocationContext = {
    invocationId,
    request: {
      invocationId,
      functionId,
      inputData: input.inputData,
      triggerMetadata: input.triggerMetadata,
      retryContext: input.retryContext ?? null,
      traceContext: { traceParent: newTraceParent(), traceState: null, attributes: {} },
    },
    metadata: {
      name: metadata.name,
      functionId,
      bindings: metadata.bindings,
      retryOptions: metadata.retryOptions ?? null,
    },
    state: undefined,
    log(level: RpcLogLevel, category: RpcLogCategory, message: string) {
      registry.log({ level, category, message, invocationId, functionName: metadata.name }, invocationContext);
    },
  };

  try {
    const model = registry.getProgrammingModel();
    const invocationModel = await model.getInvocationModel(coreContext);
    const { context, inputs } = await invocationModel.getArguments();
    invocationContext = context;

    const hookData: HookData = {};
    const preContext: PreInvocationContext = {
      hookData,
      appHookData: registry.appHookData,
      invocationContext: context,
      inputs,
      functionCallback: registration.callback,
    };
    coreContext.state = 'preInvocationHooks';
    try {
      await runHooks(registry, 'preInvocation', preContext);
    } finally {
      coreContext.state = undefined;
    }

    const postContext: PostInvocationContext = {
      hookData,
      appHookData: registry.appHookData,
      invocationContext: context,
      inputs: preContext.inputs,
      result: null,
      error: null,
    };
    coreContext.state = 'invocation';
    try {
      const callback: FunctionCallback = preContext.functionCallback;
      postContext.result = await invocationModel.invokeFunction(context, preContext.inputs, callback);
    } catch (error) {
      postContext.error = error;
    } finally {
      coreContext.state = undefined;
    }

    coreContext.state = 'postInvocationHooks';
    try {
      await runHooks(registry, 'postInvocation', postContext);
    } finally {
      coreContext.state = undefined;
    }

    if (postContext.error !== null && postContext.error !== undefined) {
      throw postContext.error;
    }
    options.onResult?.(postContext.result);
    return await invocationModel.getResponse(context, postContext.result);
  } catch (error) {
    throw new InvocationFailedError(metadata.name, invocationId, error);
  }
}

/** A W3C traceparent for the invocation, as the host sends one with every request. */
function newTraceParent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

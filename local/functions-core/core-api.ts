import type {
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  ProgrammingModel,
  RpcLogCategory,
  RpcLogLevel,
} from '@azure/functions-core';
import { Disposable } from './disposable.js';
import type { FunctionsCoreRegistry } from './registry.js';

/** The version of the Node.js worker this module stands in for; the library only checks that `log` exists. */
export const workerVersion = '3.12.0';
/** The Functions host version the local host mimics (HTTP streaming needs 4.28+, log hooks 4.34+). */
export const hostVersion = '4.1037.0';

/** The shape of the `@azure/functions-core` module as `require` returns it. */
export interface FunctionsCoreApi {
  readonly version: string;
  readonly hostVersion: string;
  readonly Disposable: typeof Disposable;
  setProgrammingModel(programmingModel: ProgrammingModel): void;
  getProgrammingModel(): ProgrammingModel;
  registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable;
  registerHook(hookName: string, callback: HookCallback): Disposable;
  log(level: RpcLogLevel, category: RpcLogCategory, message: string): void;
}

export function createFunctionsCoreApi(registry: FunctionsCoreRegistry): FunctionsCoreApi {
  return Object.freeze({
    version: workerVersion,
    hostVersion,
    Disposable,
    setProgrammingModel: (model: ProgrammingModel) => registry.setProgrammingModel(model),
    getProgrammingModel: () => registry.getProgrammingModel(),
    registerFunction: (metadata: FunctionMetadata, callback: FunctionCallback) =>
      registry.registerFunction(metadata, callback),
    registerHook: (hookName: string, callback: HookCallback) => registry.registerHook(hookName, callback),
    log: (level: RpcLogLevel, category: RpcLogCategory, message: string) => registry.log({ level, category, message }),
  });
}

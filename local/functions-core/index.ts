/**
 * The local stand-in for `@azure/functions-core`, the module the Azure Functions Node.js worker provides.
 * Call installFunctionsCore() before importing function modules; the registrations then collect in
 * `functionsCore`, which the local host (local/host) serves.
 */
export { installFunctionsCore, functionsCoreModuleName } from './install.js';
export { functionsCore, FunctionsCoreRegistry } from './registry.js';
export type { CoreLogEntry, CoreLogSink, FunctionRegistration } from './registry.js';
export { createFunctionsCoreApi, hostVersion, workerVersion } from './core-api.js';
export type { FunctionsCoreApi } from './core-api.js';
export { Disposable } from './disposable.js';

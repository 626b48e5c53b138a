import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFunctionsCoreApi, type FunctionsCoreApi } from './core-api.js';
import { functionsCore } from './registry.js';

export const functionsCoreModuleName = '@azure/functions-core';

/** The parts of Node's CommonJS loader that are internal and therefore missing from @types/node. */
interface CommonJsLoaderInternals {
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  _cache: Record<string, NodeJS.Module | undefined>;
}

const installedKey = Symbol.for('companion-api.functions-core.installed');
const globalSlots = globalThis as typeof globalThis & { [installedKey]?: FunctionsCoreApi };

/**
 * Makes `require('@azure/functions-core')` return our implementation, as the Node.js worker does for
 * the real one. `@azure/functions` requires it lazily and caches a miss for the life of the process, so
 * call this before any `app.*` call, i.e. before importing function modules.
 */
export function installFunctionsCore(): FunctionsCoreApi {
  const installed = globalSlots[installedKey];
  if (installed) {
    return installed;
  }

  const api = createFunctionsCoreApi(functionsCore);
  const loader = Module as unknown as CommonJsLoaderInternals;
  // Not a file on disk: a cache key that only our resolver hands out.
  const virtualFilename = path.join(path.dirname(fileURLToPath(import.meta.url)), '@azure-functions-core.virtual.cjs');
  const cacheEntry = (): NodeJS.Module => {
    const module = new Module(virtualFilename);
    module.filename = virtualFilename;
    module.exports = api;
    module.loaded = true;
    return module;
  };

  const resolveFilename = loader._resolveFilename;
  loader._resolveFilename = function resolveFunctionsCore(request, parent, isMain, options) {
    if (request === functionsCoreModuleName) {
      // Re-seeded on every resolution so a cleared require cache cannot send Node to the disk for it.
      loader._cache[virtualFilename] ??= cacheEntry();
      return virtualFilename;
    }
    return resolveFilename.call(this, request, parent, isMain, options);
  };
  loader._cache[virtualFilename] = cacheEntry();

  const required: unknown = createRequire(import.meta.url)(functionsCoreModuleName);
  if (required !== api) {
    throw new Error(`Installing ${functionsCoreModuleName} failed: require() did not return the local implementation.`);
  }
  globalSlots[installedKey] = api;
  return api;
}

import type * as AzureFunctions from '@azure/functions';
import type { HttpFunctionOptions, StorageQueueFunctionOptions } from '@azure/functions';

/**
 * The function registrations of one test file, captured instead of handed to a host, so the real handlers can be
 * called. Each test file has a module graph of its own, so this map holds only the functions that file imported.
 *
 * This module imports `@azure/functions` for its types alone: the module mock below loads it from inside its factory.
 * In a test file:
 *
 *     vi.mock('@azure/functions', async (importOriginal) =>
 *       (await import('./helpers/function-registrations.js')).capturingFunctionsModule(await importOriginal()),
 *     );
 */
export interface Registrations {
  readonly http: Map<string, HttpFunctionOptions>;
  readonly queues: Map<string, StorageQueueFunctionOptions>;
}

export const registrations: Registrations = { http: new Map(), queues: new Map() };

/** `@azure/functions` with an `app` that records HTTP and queue registrations and skips the other triggers. */
export function capturingFunctionsModule(original: typeof AzureFunctions): typeof AzureFunctions {
  return {
    ...original,
    app: {
      ...original.app,
      setup: () => undefined,
      http: (name: string, options: HttpFunctionOptions) => registrations.http.set(name, options),
      storageQueue: <T>(name: string, options: StorageQueueFunctionOptions<T>) => registrations.queues.set(name, options as StorageQueueFunctionOptions),
      storageBlob: () => undefined,
      timer: () => undefined,
    },
  };
}

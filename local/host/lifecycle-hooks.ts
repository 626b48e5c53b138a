import type { AppStartContext, AppTerminateContext } from '@azure/functions-core';
import type { FunctionsCoreRegistry } from '../functions-core/index.js';

/** appStart hooks, awaited in order; a throwing hook fails start-up as it fails the worker. */
export async function runAppStartHooks(registry: FunctionsCoreRegistry, appDir: string): Promise<void> {
  const context: AppStartContext = {
    hookData: registry.appLevelOnlyHookData,
    appHookData: registry.appHookData,
    functionAppDirectory: appDir,
  };
  for (const hook of [...registry.hooksFor('appStart')]) {
    await hook(context);
  }
}

/** appTerminate hooks; every hook runs even if an earlier one throws, since the app is going away anyway. */
export async function runAppTerminateHooks(
  registry: FunctionsCoreRegistry,
  onError: (error: unknown) => void,
): Promise<void> {
  const context: AppTerminateContext = {
    hookData: registry.appLevelOnlyHookData,
    appHookData: registry.appHookData,
  };
  for (const hook of [...registry.hooksFor('appTerminate')]) {
    try {
      await hook(context);
    } catch (error) {
      onError(error);
    }
  }
}

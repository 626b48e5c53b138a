import type { Services } from './services/services.js';

/**
 * The services for queue and blob triggers, built on first use as for HTTP (see http-handler.ts): importing a function
 * module must not load the SDKs, which cold start would pay for on every instance.
 */
export async function servicesForTriggers(): Promise<Services> {
  const { getRuntime } = await import('./runtime.js');
  return (await getRuntime()).services;
}

import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { Config } from '../config.js';

/**
 * The identity used where no key or connection string is configured. A user-assigned managed identity is named by
 * AZURE_CLIENT_ID; otherwise DefaultAzureCredential covers the system-assigned identity and developer sign-ins.
 */
export function createAzureCredential(config: Pick<Config, 'managedIdentityClientId'>): TokenCredential {
  return config.managedIdentityClientId !== undefined
    ? new ManagedIdentityCredential({ clientId: config.managedIdentityClientId })
    : new DefaultAzureCredential();
}

import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { CosmosClient, type CosmosClientOptions } from '@azure/cosmos';
import type { TokenCredential } from '@azure/identity';
import type { Config } from '../../config.js';

/**
 * The Cosmos DB client: account key when COSMOS_KEY is set, else the managed identity. For the local server,
 * its self-signed certificate is trusted by this client's own HTTPS agent only, never process-wide.
 */
export function createCosmosClient(config: Pick<Config, 'cosmos'>, credential: () => TokenCredential): CosmosClient {
  const { endpoint, key, emulatorCertFile } = config.cosmos;
  const options: CosmosClientOptions = {
    endpoint,
    userAgentSuffix: 'companion-api',
    ...(key !== undefined ? { key } : { aadCredentials: credential() }),
  };
  if (emulatorCertFile !== undefined) {
    options.agent = new Agent({ ca: readFileSync(emulatorCertFile), keepAlive: true });
    // The local server answers for one address only; region discovery would only add round trips.
    options.connectionPolicy = { enableEndpointDiscovery: false };
  }
  return new CosmosClient(options);
}

import type { Database } from '@azure/cosmos';
import type { HealthProbe } from '../../domain/health-probe.js';

/** Reads the database resource: proves the endpoint answers and the credential is accepted. */
export function createCosmosHealthProbe(database: Database): HealthProbe {
  return {
    name: 'cosmos',
    async check(signal) {
      await database.read({ abortSignal: signal });
    },
  };
}

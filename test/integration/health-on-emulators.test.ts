import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../shared/runtime.js';
import { emulatorConfig, emulatorRuntime, silentLogger } from './helpers/test-runtime.js';

describe('health on the real emulators', () => {
  it('reports ok for storage and Cosmos DB', async () => {
    const runtime = await emulatorRuntime('health');
    try {
      await expect(runtime.services.health.check()).resolves.toEqual({ status: 'ok', checks: { storage: 'ok', cosmos: 'ok' } });
    } finally {
      await runtime.dispose();
    }
  });

  it('reports error for an unreachable storage account, within the timeout', async () => {
    const runtime = await createRuntime(
      emulatorConfig('health-down', {
        AzureWebJobsStorage:
          'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;',
      }),
      { logger: silentLogger },
    );
    try {
      await runtime.ensureContainers();
      const started = Date.now();
      const report = await runtime.services.health.check();
      expect(report).toEqual({ status: 'error', checks: { storage: 'error', cosmos: 'ok' } });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await runtime.dispose();
    }
  });
});

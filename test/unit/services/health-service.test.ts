import { describe, expect, it } from 'vitest';
import type { HealthProbe } from '../../../shared/domain/health-probe.js';
import { HealthService } from '../../../shared/services/health-service.js';
import { RecordingLogger } from '../fakes/test-services.js';

const ok = (name: string): HealthProbe => ({ name, check: async () => undefined });
const failing = (name: string): HealthProbe => ({
  name,
  check: async () => {
    throw new Error('ECONNREFUSED 127.0.0.1:10000 with internals');
  },
});
const hanging = (name: string): HealthProbe => ({ name, check: () => new Promise(() => undefined) });

describe('health', () => {
  it('reports ok when every dependency answers', async () => {
    const service = new HealthService([ok('storage'), ok('cosmos')], new RecordingLogger());
    await expect(service.check()).resolves.toEqual({ status: 'ok', checks: { storage: 'ok', cosmos: 'ok' } });
  });

  it('reports error for a failing dependency, without its internal message', async () => {
    const logger = new RecordingLogger();
    const report = await new HealthService([ok('storage'), failing('cosmos')], logger).check();
    expect(report).toEqual({ status: 'error', checks: { storage: 'ok', cosmos: 'error' } });
    expect(JSON.stringify(report)).not.toContain('ECONNREFUSED');
    expect(logger.lines).toHaveLength(1);
  });

  it('bounds a dependency that never answers by the timeout', async () => {
    const started = Date.now();
    const report = await new HealthService([hanging('storage'), ok('cosmos')], new RecordingLogger(), 50).check();
    expect(report.checks.storage).toBe('error');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

import type { HealthProbe } from '../domain/health-probe.js';
import type { Logger } from '../domain/logger.js';

export type CheckStatus = 'ok' | 'error';

export interface HealthReport {
  readonly status: CheckStatus;
  readonly checks: Readonly<Record<string, CheckStatus>>;
}

/** Probes every dependency in parallel, each bounded by a timeout, and reports only ok/error (no internals). */
export class HealthService {
  constructor(
    private readonly probes: readonly HealthProbe[],
    private readonly logger: Logger,
    private readonly timeoutMs = 3_000,
  ) {}

  async check(): Promise<HealthReport> {
    const results = await Promise.all(
      this.probes.map(async (probe): Promise<[string, CheckStatus]> => [probe.name, await this.run(probe)]),
    );
    const checks = Object.fromEntries(results);
    return { status: results.every(([, s]) => s === 'ok') ? 'ok' : 'error', checks };
  }

  private async run(probe: HealthProbe): Promise<CheckStatus> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // The race bounds the wait even for a client that ignores the abort signal.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    try {
      await Promise.race([probe.check(controller.signal), timeout]);
      return 'ok';
    } catch (err) {
      this.logger.warn('health check failed', { dependency: probe.name, err });
      return 'error';
    } finally {
      clearTimeout(timer);
    }
  }
}

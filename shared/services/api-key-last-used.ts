import type { ApiKeyRepository } from '../domain/api-key-repository.js';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../domain/logger.js';

const ONE_MINUTE_MS = 60_000;
/** Bounds the memory of a long-lived instance; forgetting a key only costs one extra write. */
const MAX_TRACKED_KEYS = 10_000;

/**
 * Records when a key was last used, at most once per minute per key per process, so that authentication does not
 * turn every request into a store write. The time shown is therefore accurate to about a minute.
 */
export class ApiKeyLastUsedRecorder {
  private readonly lastWrittenAt = new Map<string, number>();

  constructor(
    private readonly apiKeys: ApiKeyRepository,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async recordUse(projectId: string, keyId: string): Promise<void> {
    const now = this.clock.now();
    const previous = this.lastWrittenAt.get(keyId);
    if (previous !== undefined && now.getTime() - previous < ONE_MINUTE_MS) return;
    if (this.lastWrittenAt.size >= MAX_TRACKED_KEYS) this.lastWrittenAt.clear();
    this.lastWrittenAt.set(keyId, now.getTime());
    try {
      await this.apiKeys.recordLastUsed(projectId, keyId, now.toISOString());
    } catch (err) {
      // Usage display is best effort; the request it came from must not fail because of it.
      this.logger.warn('recording API key use failed', { keyId, err });
    }
  }
}

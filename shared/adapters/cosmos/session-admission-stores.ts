import { ConflictError, PreconditionFailedError } from '../../domain/errors.js';
import type { ChannelType } from '../../domain/session.js';
import type { ConnectionRateLimiter, OpenSessionSlot, SessionSlotStore } from '../../domain/session-admission.js';
import { withOptimisticRetry, writeOrRetry } from '../../services/optimistic-concurrency.js';
import type { CountedContainer } from './counted-container.js';

/**
 * Connection request slots: a create-only document per key, second and slot number (`<keyId>:<epoch second>:<n>`).
 * The create succeeds for the first `perSecond` requests of a second and conflicts for the rest, on every instance at
 * once. The container's default time to live removes them after a minute.
 */
export class CosmosConnectionRateLimiter implements ConnectionRateLimiter {
  constructor(private readonly container: CountedContainer) {}

  async tryAcquire(keyId: string, perSecond: number, now: Date): Promise<boolean> {
    const second = Math.floor(now.getTime() / 1000);
    // Probing from a random slot keeps a lightly used allowance at about one write per request.
    const start = Math.floor(Math.random() * perSecond);
    for (let probe = 0; probe < perSecond; probe += 1) {
      const slot = (start + probe) % perSecond;
      try {
        await this.container.create({ id: `${keyId}:${second}:${slot}`, keyId, second });
        return true;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    return false;
  }
}

interface SlotDocument {
  readonly id: string;
  readonly orgId: string;
  readonly open: OpenSessionSlot[];
  readonly _etag?: string;
}

/**
 * One document per organization and channel type (`session-slots`, pk `/orgId`) listing the open sessions. A
 * reservation is one conditional patch that appends only while the list is shorter than the limit.
 */
export class CosmosSessionSlotStore implements SessionSlotStore {
  constructor(private readonly container: CountedContainer) {}

  async tryReserve(orgId: string, channelType: ChannelType, slot: OpenSessionSlot, limit: number): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        // The filter predicate is the limit: Cosmos applies the append only while it holds.
        const patched = await this.container.patch(channelType, orgId, [{ op: 'add', path: '/open/-', value: slot }], `FROM c WHERE ARRAY_LENGTH(c.open) < ${limit}`);
        if (patched !== undefined) return true;
      } catch (err) {
        if (err instanceof PreconditionFailedError) return false;
        throw err;
      }
      // The organization's first session of this channel: create its document (a racing creator wins, then patch).
      try {
        await this.container.create({ id: channelType, orgId, type: 'session-slots', open: [slot] });
        return true;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    throw new Error('the session slot document could neither be patched nor created');
  }

  async held(orgId: string, channelType: ChannelType): Promise<readonly OpenSessionSlot[]> {
    const document = (await this.container.read(channelType, orgId)) as SlotDocument | undefined;
    return document?.open ?? [];
  }

  async release(orgId: string, channelType: ChannelType, sessionIds: readonly string[]): Promise<void> {
    const gone = new Set(sessionIds);
    await withOptimisticRetry(async () => {
      const document = (await this.container.read(channelType, orgId)) as SlotDocument | undefined;
      if (document === undefined || !document.open.some((slot) => gone.has(slot.sessionId))) return;
      const { _etag, ...fields } = document;
      const next = { ...fields, open: document.open.filter((slot) => !gone.has(slot.sessionId)) };
      await writeOrRetry(() => this.container.replace(channelType, orgId, next, _etag ?? ''));
    }, 10);
  }
}

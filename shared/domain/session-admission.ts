import type { ChannelType } from './session.js';

/**
 * The limits on opening sessions (API.md: 1 connection request per second per API key, 429
 * RequestRateLimitExceeded with Retry-After; 5 open sessions per channel type per organization, 409
 * ConcurrentSessionLimitReached; both configurable per organization). They hold across instances because each is a
 * conditional write in Cosmos DB, never a count in one process's memory.
 */

/** One connection request of an API key in one second; a second request in the same second finds its slot taken. */
export interface ConnectionRateLimiter {
  /** True when the request may go ahead: one of the `perSecond` slots of this key for this second was free. */
  tryAcquire(keyId: string, perSecond: number, now: Date): Promise<boolean>;
}

export interface OpenSessionSlot {
  readonly sessionId: string;
  readonly projectId: string;
  readonly at: string;
}

/** The open sessions of an organization per channel type, one document each. */
export interface SessionSlotStore {
  /** Adds the slot while fewer than `limit` are held: one conditional write. False when full. */
  tryReserve(orgId: string, channelType: ChannelType, slot: OpenSessionSlot, limit: number): Promise<boolean>;
  held(orgId: string, channelType: ChannelType): Promise<readonly OpenSessionSlot[]>;
  /** Removes these sessions' slots (those not held are ignored). */
  release(orgId: string, channelType: ChannelType, sessionIds: readonly string[]): Promise<void>;
}

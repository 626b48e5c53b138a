import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import { MAX_MAX_SESSION_SECONDS } from '../domain/agent.js';
import type { Clock } from '../domain/clock.js';
import { ConflictError, RateLimitedError } from '../domain/errors.js';
import type { Logger } from '../domain/logger.js';
import { DEFAULT_ORGANIZATION_SETTINGS, type OrganizationSettings } from '../domain/organization.js';
import type { OrganizationRepository } from '../domain/organization-repository.js';
import type { ChannelType, Session, SessionRepository } from '../domain/session.js';
import type { ConnectionRateLimiter, SessionSlotStore } from '../domain/session-admission.js';
import { isOpen } from '../domain/session-lifecycle.js';

export interface SessionAdmissionDeps {
  readonly rateLimiter: ConnectionRateLimiter;
  readonly sessionSlots: SessionSlotStore;
  readonly organizations: Pick<OrganizationRepository, 'get'>;
  readonly sessions: Pick<SessionRepository, 'get'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** An organization's limits are read at most this often per instance; a change takes effect within this time. */
const SETTINGS_TTL_MS = 30_000;
/** A reserved slot gets this long for its session to be created before it counts as abandoned. */
const CREATION_GRACE_MS = 120_000;
/** A slot older than the longest session can be is left over from a close whose release failed. */
const SLOT_STALE_AFTER_MS = (MAX_MAX_SESSION_SECONDS + 600) * 1000;

/**
 * Whether a connection may open a session: the API key's request rate, then a slot among the organization's open
 * sessions of that channel type. Slots are released when sessions close; a slot whose release was lost is reclaimed
 * when the organization is full and its session turns out to be closed.
 */
export class SessionAdmission {
  private readonly settings = new Map<string, { value: OrganizationSettings; until: number }>();

  constructor(private readonly deps: SessionAdmissionDeps) {}

  /** 429 RequestRateLimitExceeded (Retry-After: the next second) beyond the key's connection requests per second. */
  async checkRate(principal: ApiKeyPrincipal): Promise<void> {
    const { connectionRequestsPerSecondPerKey } = await this.settingsOf(principal.orgId);
    const now = this.deps.clock.now();
    if (await this.deps.rateLimiter.tryAcquire(principal.keyId, connectionRequestsPerSecondPerKey, now)) return;
    throw new RateLimitedError(
      1,
      'RequestRateLimitExceeded',
      `An API key may open at most ${connectionRequestsPerSecondPerKey} connection(s) per second; retry after the time given in Retry-After.`,
    );
  }

  /** 409 ConcurrentSessionLimitReached when the organization already has its limit of open sessions of this channel. */
  async reserve(principal: ApiKeyPrincipal, channelType: ChannelType, sessionId: string): Promise<void> {
    const { maxOpenSessionsPerChannelType: limit } = await this.settingsOf(principal.orgId);
    const slot = { sessionId, projectId: principal.projectId, at: this.deps.clock.now().toISOString() };
    if (await this.deps.sessionSlots.tryReserve(principal.orgId, channelType, slot, limit)) return;
    if ((await this.reclaim(principal.orgId, channelType)) > 0 && (await this.deps.sessionSlots.tryReserve(principal.orgId, channelType, slot, limit))) {
      return;
    }
    throw new ConflictError(
      `The organization already has ${limit} open ${channelType} session(s), its limit; end one (DELETE /public/connections/{id}) or wait for one to close.`,
      'ConcurrentSessionLimitReached',
    );
  }

  /** Frees a session's slot (on close, or when its creation failed). */
  async release(session: Pick<Session, 'orgId' | 'channelType' | 'id'>): Promise<void> {
    await this.deps.sessionSlots.release(session.orgId, session.channelType, [session.id]);
  }

  /** Releases slots whose sessions are closed, gone or impossibly old; returns how many. */
  private async reclaim(orgId: string, channelType: ChannelType): Promise<number> {
    const held = await this.deps.sessionSlots.held(orgId, channelType);
    const now = this.deps.clock.now().getTime();
    const stale = await Promise.all(
      held.map(async (slot) => {
        const age = now - Date.parse(slot.at);
        if (age > SLOT_STALE_AFTER_MS) return slot.sessionId;
        const session = await this.deps.sessions.get(slot.projectId, slot.sessionId);
        // A slot is reserved before its session is written: a young slot without a session is a creation under way.
        if (session === undefined) return age > CREATION_GRACE_MS ? slot.sessionId : undefined;
        return isOpen(session) ? undefined : slot.sessionId;
      }),
    );
    const ids = stale.filter((id): id is string => id !== undefined);
    if (ids.length > 0) {
      this.deps.logger.warn('reclaimed session slots whose release was lost', { orgId, channelType, count: ids.length });
      await this.deps.sessionSlots.release(orgId, channelType, ids);
    }
    return ids.length;
  }

  private async settingsOf(orgId: string): Promise<OrganizationSettings> {
    const now = Date.now();
    const cached = this.settings.get(orgId);
    if (cached !== undefined && cached.until > now) return cached.value;
    const org = await this.deps.organizations.get(orgId);
    const value = { ...DEFAULT_ORGANIZATION_SETTINGS, ...org?.settings };
    this.settings.set(orgId, { value, until: now + SETTINGS_TTL_MS });
    return value;
  }
}

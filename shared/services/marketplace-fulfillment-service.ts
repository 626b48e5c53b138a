import type { Clock } from '../domain/clock.js';
import { ConflictError, NotFoundError, PreconditionFailedError, ServiceUnavailableError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import type { Logger } from '../domain/logger.js';
import {
  MarketplaceUnavailableError,
  type MarketplaceFulfillment,
  type MarketplaceOperation,
  type MarketplaceSubscription,
  type MarketplaceWebhookAuthenticator,
  type ResolvedPurchase,
} from '../domain/marketplace-fulfillment.js';
import type {
  MarketplaceParty,
  MarketplaceRetentionQuery,
  MarketplaceSubscriptionClaimRepository,
  MarketplaceSubscriptionState,
  MarketplaceSubscriptionStatus,
} from '../domain/marketplace-subscription.js';
import type { Member } from '../domain/member.js';
import type { MemberRosterRepository } from '../domain/member-roster-repository.js';
import type { MembershipIndex } from '../domain/membership-index.js';
import { DEFAULT_ORGANIZATION_SETTINGS, type Organization } from '../domain/organization.js';
import type { OrganizationRepository } from '../domain/organization-repository.js';
import type { SessionRepository } from '../domain/session.js';
import { indexMember } from './membership-indexing.js';
import type { SubscriptionGate } from './marketplace-subscription-gate.js';
import { withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';
import type { SessionLifecycleService } from './session-lifecycle-service.js';

/** The Marketplace adapters; absent when MARKETPLACE_TENANT_ID / MARKETPLACE_CLIENT_ID are not set. */
export interface MarketplacePorts {
  readonly fulfillment: MarketplaceFulfillment;
  readonly webhookAuthenticator: MarketplaceWebhookAuthenticator;
  readonly claims: MarketplaceSubscriptionClaimRepository;
  readonly retention: MarketplaceRetentionQuery;
}

export interface MarketplaceFulfillmentDeps {
  readonly marketplace: MarketplacePorts | undefined;
  readonly organizations: OrganizationRepository;
  readonly rosters: MemberRosterRepository;
  readonly membershipIndex: MembershipIndex;
  readonly sessions: Pick<SessionRepository, 'listOpenOfOrganization'>;
  readonly sessionLifecycle: Pick<SessionLifecycleService, 'close'>;
  readonly subscriptionGate: SubscriptionGate;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** What the landing page did, for the buyer to read. */
export interface LandingResult {
  readonly organization: { readonly id: string; readonly name: string; readonly created: boolean };
  readonly subscription: {
    readonly id: string;
    readonly offerId: string;
    readonly planId: string;
    readonly quantity?: number | undefined;
    readonly status: MarketplaceSubscriptionStatus;
  };
  readonly admin: { readonly memberId: string; readonly userId?: string | undefined; readonly email?: string | undefined; readonly added: boolean };
  /** `activated` now, or `alreadyActivated` (a repeated landing: the Marketplace refused a second activation). */
  readonly activation: 'activated' | 'alreadyActivated';
}

/** The webhook's payload fields the service reads; the rest is the Marketplace's and is ignored. */
export interface WebhookNotification {
  readonly id: string;
  readonly subscriptionId: string;
  readonly action: string;
}

export type WebhookOutcome = 'applied' | 'stale' | 'notApplied' | 'unknownSubscription' | 'ignored';

export interface WebhookResult {
  readonly operationId: string;
  readonly action: string;
  readonly outcome: WebhookOutcome;
  readonly subscriptionStatus?: MarketplaceSubscriptionStatus | undefined;
}

/** Lifecycle actions that need the publisher's answer (PATCH Success or Failure) while the operation is in progress. */
const ACKNOWLEDGED_ACTIONS = new Set(['ChangePlan', 'ChangeQuantity', 'Reinstate']);
/** The actions handled; others (a future one) are answered 200 `ignored` and change nothing. */
const HANDLED_ACTIONS = new Set(['ChangePlan', 'ChangeQuantity', 'Suspend', 'Reinstate', 'Renew', 'Unsubscribe']);

/** Which part of the state an action changes, for the ordering of late deliveries (see operationTimes). */
function aspectOf(action: string): 'status' | 'plan' | 'quantity' | undefined {
  if (action === 'Suspend' || action === 'Reinstate') return 'status';
  if (action === 'ChangePlan') return 'plan';
  if (action === 'ChangeQuantity') return 'quantity';
  // Renew changes nothing to order; Unsubscribe is final whenever it arrives.
  return undefined;
}

function marketplaceUnavailable(): ServiceUnavailableError {
  return new ServiceUnavailableError('MarketplaceUnavailable', 'The Azure Marketplace could not be reached; retry in a moment.');
}

function notConfigured(): ServiceUnavailableError {
  return new ServiceUnavailableError('MarketplaceNotConfigured', 'Azure Marketplace fulfillment is not configured on this service.');
}

/** Lower-cases the email once; the roster stores emails lower-case. */
function emailOf(party: MarketplaceParty): string | undefined {
  return party.emailId === undefined ? undefined : party.emailId.toLowerCase();
}

/**
 * Marketplace SaaS fulfillment: the landing page turns a purchase into an organization with the purchaser as its
 * admin and activates the subscription; the webhook keeps the subscription's state (plan, quantity, status) in step
 * with the Marketplace. Everything is idempotent: the subscription is claimed once (create-only), the organization
 * and roster are created once, and a repeated or late operation leaves the state as the newest one made it.
 */
export class MarketplaceFulfillmentService {
  constructor(private readonly deps: MarketplaceFulfillmentDeps) {}

  /** `GET /marketplace/landing?token=...`. */
  async land(purchaseToken: string): Promise<LandingResult> {
    const ports = this.ports();
    // Tokens are base64 and never hold spaces: a space is a '+' that reached the query string unencoded.
    const token = purchaseToken.trim().replace(/ /g, '+');
    const purchase = await this.callMarketplace(() => ports.fulfillment.resolve(token));
    const { orgId } = await this.claim(ports, purchase.subscriptionId);
    // Roster first, as OrganizationService.create does: an organization without a roster would be visible to nobody.
    const admin = await this.ensureAdmin(orgId, purchase.subscription.purchaser);
    const { org, created } = await this.ensureOrganization(orgId, purchase);

    if (purchase.subscription.status === 'Unsubscribed') {
      await this.record(orgId, purchase.subscription);
      throw new ConflictError('This Marketplace subscription has been cancelled and cannot be activated.', 'SubscriptionNotActive');
    }
    const outcome = await this.callMarketplace(() => ports.fulfillment.activate(purchase.subscriptionId, purchase.planId, purchase.quantity));
    // Read back either way: after an activation, to record what the Marketplace now says; after a refusal, to tell an
    // activation that already happened (a repeated landing) from one that failed.
    const current = await this.callMarketplace(() => ports.fulfillment.getSubscription(purchase.subscriptionId));
    if (current === undefined) throw marketplaceUnavailable();
    if (outcome.kind === 'refused' && current.status !== 'Subscribed' && current.status !== 'Suspended') {
      this.deps.logger.warn('marketplace activation refused', { subscriptionId: purchase.subscriptionId, status: outcome.status, subscriptionStatus: current.status });
      await this.record(orgId, current);
      throw new ConflictError(
        `The Marketplace did not activate the subscription (its status is ${current.status}).`,
        'SubscriptionNotActivated',
      );
    }
    const saved = await this.record(orgId, current);
    return {
      organization: { id: org.id, name: org.name, created },
      subscription: {
        id: current.id,
        offerId: current.offerId,
        planId: saved.marketplace?.planId ?? current.planId,
        quantity: saved.marketplace?.quantity,
        status: saved.marketplace?.status ?? current.status,
      },
      admin: { memberId: admin.member.id, userId: admin.member.userId, email: admin.member.email, added: admin.added },
      activation: outcome.kind === 'activated' ? 'activated' : 'alreadyActivated',
    };
  }

  /** Checks the caller of `POST /marketplace/webhook` (401/403) before its body is read. */
  async authenticateWebhook(bearerToken: string | undefined): Promise<void> {
    await this.ports().webhookAuthenticator.authenticate(bearerToken);
  }

  /**
   * `POST /marketplace/webhook`, after authenticateWebhook. The payload is only a hint: the operation is read from the
   * Marketplace (GET operations/{id}) and acted on as the Marketplace states it. An operation the Marketplace does not
   * confirm for that subscription is refused (404), which for ChangePlan and ChangeQuantity also rejects the change.
   */
  async handleWebhook(notification: WebhookNotification): Promise<WebhookResult> {
    const ports = this.ports();
    const operation = await this.callMarketplace(() => ports.fulfillment.getOperation(notification.subscriptionId, notification.id));
    if (operation === undefined || operation.subscriptionId !== notification.subscriptionId || operation.action !== notification.action) {
      this.deps.logger.warn('marketplace webhook not confirmed by the operations API', {
        operationId: notification.id,
        subscriptionId: notification.subscriptionId,
        action: notification.action,
      });
      throw new NotFoundError('Marketplace operation');
    }
    const claim = await ports.claims.get(operation.subscriptionId);
    if (claim === undefined) {
      // Bought but never landed: there is no organization to change. The Marketplace's own state stays the truth, and a
      // later landing records it.
      return { operationId: operation.id, action: operation.action, outcome: 'unknownSubscription' };
    }
    const result = await this.apply(ports, claim.orgId, operation);
    this.deps.subscriptionGate.forget(claim.orgId);
    if (result.subscriptionStatus === 'Suspended' || result.subscriptionStatus === 'Unsubscribed') {
      await this.closeOpenSessions(claim.orgId);
    }
    return result;
  }

  private async apply(ports: MarketplacePorts, orgId: string, operation: MarketplaceOperation): Promise<WebhookResult> {
    const base = { operationId: operation.id, action: operation.action };
    const org = await this.deps.organizations.get(orgId);
    if (org?.marketplace === undefined) return { ...base, outcome: 'unknownSubscription' };
    if (!HANDLED_ACTIONS.has(operation.action)) {
      this.deps.logger.warn('marketplace webhook with an action not handled', { operationId: operation.id, action: operation.action });
      return { ...base, outcome: 'ignored', subscriptionStatus: org.marketplace.status };
    }

    if (ACKNOWLEDGED_ACTIONS.has(operation.action) && operation.status === 'InProgress') {
      // Accept: every plan, quantity and reinstatement is one we serve. If the operation was settled meanwhile (it is
      // auto-accepted after 10 s), the Marketplace's subscription is what counts.
      const answer = await this.callMarketplace(() => ports.fulfillment.updateOperation(operation.subscriptionId, operation.id, 'Success'));
      if (answer === 'notPending') {
        const settled = await this.callMarketplace(() => ports.fulfillment.getOperation(operation.subscriptionId, operation.id));
        if (settled === undefined || settled.status !== 'Succeeded') {
          return { ...base, outcome: 'notApplied', subscriptionStatus: org.marketplace.status };
        }
      }
    } else if (operation.status !== 'Succeeded' && operation.status !== 'InProgress') {
      // Failed or conflicting operations changed nothing on the Marketplace's side, so nothing changes here.
      return { ...base, outcome: 'notApplied', subscriptionStatus: org.marketplace.status };
    }

    const saved = await withOptimisticRetry(async () => {
      const current = await this.deps.organizations.get(orgId);
      const state = current?.marketplace;
      if (current === undefined || state === undefined) return undefined;
      const aspect = aspectOf(operation.action);
      const newest = aspect === undefined ? undefined : state.operationTimes?.[aspect];
      const stale = newest !== undefined && Date.parse(operation.timeStamp) < Date.parse(newest);
      const next = stale ? undefined : this.nextState(state, operation);
      if (next === undefined) return { org: current, outcome: 'stale' as const };
      const written = await writeOrRetry(() =>
        this.deps.organizations.replace({ ...current, marketplace: next, updatedAt: this.deps.clock.now().toISOString() }),
      );
      return { org: written, outcome: 'applied' as const };
    });
    if (saved === undefined) return { ...base, outcome: 'unknownSubscription' };
    return { ...base, outcome: saved.outcome, subscriptionStatus: saved.org.marketplace?.status };
  }

  /** The state after an operation (one of HANDLED_ACTIONS). */
  private nextState(state: MarketplaceSubscriptionState, operation: MarketplaceOperation): MarketplaceSubscriptionState | undefined {
    const now = this.deps.clock.now().toISOString();
    const aspect = aspectOf(operation.action);
    const stamped: MarketplaceSubscriptionState = {
      ...state,
      updatedAt: now,
      ...(aspect === undefined ? {} : { operationTimes: { ...state.operationTimes, [aspect]: operation.timeStamp } }),
    };
    // A cancelled subscription is final on the Marketplace: nothing brings it back.
    const terminal = state.status === 'Unsubscribed';
    switch (operation.action) {
      case 'ChangePlan':
        return { ...stamped, planId: operation.planId ?? state.planId, ...(operation.quantity === undefined ? {} : { quantity: operation.quantity }) };
      case 'ChangeQuantity':
        return { ...stamped, quantity: operation.quantity ?? state.quantity, ...(operation.planId === undefined ? {} : { planId: operation.planId }) };
      case 'Suspend':
        return terminal ? stamped : { ...stamped, status: 'Suspended' };
      case 'Reinstate':
        return terminal ? stamped : { ...stamped, status: 'Subscribed' };
      case 'Renew':
        return stamped;
      case 'Unsubscribe':
        // The first Unsubscribe starts the retention period; a repeat does not restart it.
        return { ...stamped, status: 'Unsubscribed', unsubscribedAt: state.unsubscribedAt ?? now };
      default:
        return undefined;
    }
  }

  private async closeOpenSessions(orgId: string): Promise<void> {
    const open = await this.deps.sessions.listOpenOfOrganization(orgId);
    for (const session of open) {
      await this.deps.sessionLifecycle.close(session.projectId, session.id, 'no_credits_left');
    }
  }

  /** The organization a subscription belongs to: claimed by the first landing, found by every later one. */
  private async claim(ports: MarketplacePorts, subscriptionId: string): Promise<{ orgId: string }> {
    const existing = await ports.claims.get(subscriptionId);
    if (existing !== undefined) return existing;
    try {
      return await ports.claims.create({ subscriptionId, orgId: newId('org'), createdAt: this.deps.clock.now().toISOString() });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      // A concurrent landing claimed it first: use its organization.
      const winner = await ports.claims.get(subscriptionId);
      if (winner === undefined) throw err;
      return winner;
    }
  }

  /** Creates the organization of a claim, or finds it (a repeat, or a retry after a crash part-way). */
  private async ensureOrganization(orgId: string, purchase: ResolvedPurchase): Promise<{ org: Organization; created: boolean }> {
    const found = await this.deps.organizations.get(orgId);
    if (found !== undefined) return { org: found, created: false };
    const now = this.deps.clock.now().toISOString();
    const name = (purchase.subscription.name.trim() || `Marketplace ${purchase.offerId}`).slice(0, 100);
    try {
      const org = await this.deps.organizations.create({
        id: orgId,
        name,
        settings: DEFAULT_ORGANIZATION_SETTINGS,
        marketplace: this.stateOf(purchase.subscription, undefined, now),
        createdAt: now,
        updatedAt: now,
      });
      return { org, created: true };
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const raced = await this.deps.organizations.get(orgId);
      if (raced === undefined) throw err;
      return { org: raced, created: false };
    }
  }

  /**
   * Makes the purchaser an admin: the first member of a new organization's roster, added (or promoted) on a later
   * landing. The purchaser is matched by Entra object id, else by email; an email-only member is bound at first sign-in.
   */
  private async ensureAdmin(orgId: string, purchaser: MarketplaceParty): Promise<{ member: Member; added: boolean }> {
    const email = emailOf(purchaser);
    const now = this.deps.clock.now().toISOString();
    const newAdmin = (): Member => ({
      id: newId('mem'),
      userId: purchaser.objectId,
      email,
      name: undefined,
      role: 'admin',
      createdAt: now,
      updatedAt: now,
    });
    const result = await withOptimisticRetry(async () => {
      const roster = await this.deps.rosters.get(orgId);
      if (roster === undefined) {
        const member = newAdmin();
        try {
          await this.deps.rosters.create({ orgId, members: [member] });
          return { member, added: true };
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
          // A concurrent landing created it: a lost race, so go round again and find the purchaser in it.
          return writeOrRetry(() => Promise.reject(new PreconditionFailedError()));
        }
      }
      const existing =
        roster.members.find((m) => purchaser.objectId !== undefined && m.userId === purchaser.objectId) ??
        roster.members.find((m) => email !== undefined && m.email === email);
      if (existing !== undefined && existing.role === 'admin') return { member: existing, added: false };
      const member: Member =
        existing === undefined
          ? newAdmin()
          : { ...existing, role: 'admin', userId: existing.userId ?? purchaser.objectId, updatedAt: now };
      const members = existing === undefined ? [...roster.members, member] : roster.members.map((m) => (m.id === member.id ? member : m));
      await writeOrRetry(() => this.deps.rosters.replace({ ...roster, members }));
      return { member, added: existing === undefined };
    });
    await indexMember(this.deps.membershipIndex, this.deps.logger, orgId, result.member);
    return result;
  }

  /**
   * Records the Marketplace's view of the subscription on its organization (at landing, read back from the Marketplace).
   * A cancelled subscription keeps the start of its retention period; one seen cancelled for the first time starts it.
   */
  private async record(orgId: string, subscription: MarketplaceSubscription): Promise<Organization> {
    return withOptimisticRetry(async () => {
      const current = await this.deps.organizations.get(orgId);
      if (current === undefined) throw new NotFoundError('Organization');
      const now = this.deps.clock.now().toISOString();
      const previous = current.marketplace;
      const unsubscribedAt = previous?.unsubscribedAt ?? (subscription.status === 'Unsubscribed' ? now : undefined);
      const next: MarketplaceSubscriptionState = {
        ...this.stateOf(subscription, unsubscribedAt, now),
        ...(previous?.operationTimes === undefined ? {} : { operationTimes: previous.operationTimes }),
        ...(previous?.dataDeletedAt === undefined ? {} : { dataDeletedAt: previous.dataDeletedAt }),
      };
      const saved = await writeOrRetry(() => this.deps.organizations.replace({ ...current, marketplace: next, updatedAt: now }));
      this.deps.subscriptionGate.forget(orgId);
      return saved;
    });
  }

  private stateOf(subscription: MarketplaceSubscription, unsubscribedAt: string | undefined, now: string): MarketplaceSubscriptionState {
    return {
      subscriptionId: subscription.id,
      offerId: subscription.offerId,
      planId: subscription.planId,
      ...(subscription.quantity === undefined ? {} : { quantity: subscription.quantity }),
      status: subscription.status,
      purchaser: subscription.purchaser,
      updatedAt: now,
      ...(unsubscribedAt === undefined ? {} : { unsubscribedAt }),
    };
  }

  private ports(): MarketplacePorts {
    if (this.deps.marketplace === undefined) throw notConfigured();
    return this.deps.marketplace;
  }

  /** Marketplace failures (after the client's retries) become 503 MarketplaceUnavailable; the caller may retry. */
  private async callMarketplace<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof MarketplaceUnavailableError) {
        this.deps.logger.warn('marketplace call failed', { operation: err.operation, status: err.status });
        throw marketplaceUnavailable();
      }
      throw err;
    }
  }
}

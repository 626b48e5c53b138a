import { METRIC_NAMES, type Metrics } from '../domain/metrics.js';
import { randomUUID } from 'node:crypto';
import { billingResourceOf } from '../domain/billing-resource.js';
import type { Clock } from '../domain/clock.js';
import { ConflictError, PreconditionFailedError } from '../domain/errors.js';
import type { Logger } from '../domain/logger.js';
import { isSubscriptionBlocked } from '../domain/marketplace-subscription.js';
import {
  MARKETPLACE_ACCEPTANCE_WINDOW_MS,
  MAX_BATCH_ITEMS,
  meteringEventIdOf,
  type CarryEntry,
  type ManagedApplicationBilling,
  type ManagedApplicationBillingSource,
  type MeteringApi,
  type MeteringBatch,
  type MeteringBatchRepository,
  type MeteringEvent,
  type MeteringEventRepository,
  type MeteringEventState,
  type MeteringItem,
  type MeteringItemResult,
} from '../domain/metering.js';
import type { OrganizationRepository } from '../domain/organization-repository.js';
import { HOUR_MS, hourStartOf, type UsageHour, type UsageHourRepository } from '../domain/usage.js';
import type { UsageDimension } from '../domain/usage-prices.js';
import { withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';
import type { UsageRecorder } from './usage-recorder.js';

export interface MeteringSettings {
  /** How long after an hour ends before it is settled and submitted (late session events land first). */
  readonly settleDelayMinutes: number;
  /** How far back unsettled hours are still looked for (a run that was down for a while catches up). */
  readonly lookbackHours: number;
}

export const DEFAULT_METERING_SETTINGS: MeteringSettings = { settleDelayMinutes: 5, lookbackHours: 72 };

/** Hours this close to the 24-hour limit are not sent but rolled forward at once: the call would come too late. */
const EXPIRY_MARGIN_MS = 10 * 60_000;
const CONSUMED_CARRY_KEPT_MS = 7 * 24 * HOUR_MS;

export interface MeteringSubmissionDeps {
  readonly usageHours: UsageHourRepository;
  readonly recorder: UsageRecorder;
  readonly meteringEvents: MeteringEventRepository;
  readonly meteringBatches: MeteringBatchRepository;
  /** Undefined without Marketplace settings: hours are still settled (usage recorded), nothing is submitted. */
  readonly meteringApi: MeteringApi | undefined;
  readonly organizations: OrganizationRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Each run's results (items by outcome, calls) are recorded for the operators (README, Operations). */
  readonly metrics?: Metrics | undefined;
  readonly settings?: MeteringSettings | undefined;
  /**
   * A managed-application install (MANAGED_APP_METERING): every organization's usage is billed to the application's
   * `resourceUsageId` under its plan, one event per dimension and hour for the whole install.
   */
  readonly managedApplication?: ManagedApplicationBillingSource | undefined;
}

/** The `orgId` of events and carries of a managed application: they hold the usage of every organization of the install. */
export const MANAGED_APPLICATION_ORG_ID = 'managed-application';

export interface MeteringRunSummary {
  settledHours: number;
  frozen: number;
  calls: number;
  itemsSent: number;
  accepted: number;
  duplicates: number;
  conflicts: number;
  expired: number;
  rejected: number;
  /** Items of calls answered 429/5xx (or not at all): their batch is sent again on the next run. */
  retryLater: number;
}

/**
 * The timer-triggered submission of closed hours to the Marketplace (README, Usage and metering). Every step is a
 * create-only or ETag-conditional write that a later run can pick up where a dead one stopped:
 *
 * 1. batches recorded but never answered (a crash, 429/5xx) are sent again with the same items;
 * 2. each closed hour not yet settled: every session active in it is recorded, then one event per
 *    Marketplace subscription and dimension with minutes is frozen (create-only, quantity fixed), expired quantities
 *    carried into it, and the hour is marked settled;
 * 3. open events go out in batches of at most 25, each batch recorded before its call; every item's status is read.
 */
export class MeteringSubmission {
  private readonly settings: MeteringSettings;

  constructor(private readonly deps: MeteringSubmissionDeps) {
    this.settings = deps.settings ?? DEFAULT_METERING_SETTINGS;
  }

  async run(): Promise<MeteringRunSummary> {
    const summary = await this.submit();
    const metrics = this.deps.metrics;
    if (metrics !== undefined) {
      metrics.record(METRIC_NAMES.meteringCalls, summary.calls);
      const outcomes = {
        accepted: summary.accepted,
        duplicate: summary.duplicates,
        conflict: summary.conflicts,
        expired: summary.expired,
        rejected: summary.rejected,
        retryLater: summary.retryLater,
      };
      for (const [outcome, count] of Object.entries(outcomes)) {
        if (count > 0) metrics.record(METRIC_NAMES.meteringItems, count, { outcome });
      }
    }
    return summary;
  }

  private async submit(): Promise<MeteringRunSummary> {
    const summary: MeteringRunSummary = {
      settledHours: 0,
      frozen: 0,
      calls: 0,
      itemsSent: 0,
      accepted: 0,
      duplicates: 0,
      conflicts: 0,
      expired: 0,
      rejected: 0,
      retryLater: 0,
    };
    const api = this.deps.meteringApi;
    if (api === undefined) {
      await this.settleClosedHours(summary, false);
      return summary;
    }
    let throttled = false;
    const stillPending = new Set<string>();
    for (const batch of await this.deps.meteringBatches.listPending()) {
      const done = throttled ? false : await this.send(api, batch, summary);
      if (!done) {
        throttled = true;
        for (const item of batch.items) stillPending.add(`${item.resourceId}/${item.eventId}`);
      }
    }

    await this.settleClosedHours(summary, true);

    if (throttled) return summary;
    const open = (await this.deps.meteringEvents.listOpen()).filter((e) => !stillPending.has(`${e.resourceId}/${e.id}`));
    open.sort((a, b) => (a.hour === b.hour ? a.resourceId.localeCompare(b.resourceId) : a.hour.localeCompare(b.hour)));
    for (let i = 0; i < open.length; i += MAX_BATCH_ITEMS) {
      const items: MeteringItem[] = open.slice(i, i + MAX_BATCH_ITEMS).map((e) => ({
        resourceId: e.resourceId,
        eventId: e.id,
        dimension: e.dimension,
        hour: e.hour,
        quantity: e.quantity,
        planId: e.planId,
      }));
      const at = this.deps.clock.now().toISOString();
      const batch = await this.deps.meteringBatches.create({ id: randomUUID(), state: 'pending', items, attempts: 0, createdAt: at, updatedAt: at });
      if (!(await this.send(api, batch, summary))) break;
    }
    return summary;
  }

  /** Settles every closed hour not yet settled (and, with `freeze`, freezes its events), oldest first. */
  private async settleClosedHours(summary: MeteringRunSummary, freeze: boolean): Promise<void> {
    const now = this.deps.clock.now();
    const lastClosed = hourStartOf(now.getTime() - this.settings.settleDelayMinutes * 60_000) - HOUR_MS;
    // Found before anything is settled: a run that cannot find what to bill fails and leaves the hours to the next one.
    const managedApp = freeze ? await this.deps.managedApplication?.resolve() : undefined;
    for (let hour = lastClosed - (this.settings.lookbackHours - 1) * HOUR_MS; hour <= lastClosed; hour += HOUR_MS) {
      const key = new Date(hour).toISOString();
      if (await this.deps.usageHours.isSettled(key)) continue;
      await this.deps.recorder.settleHour(key);
      if (freeze && managedApp !== undefined) {
        summary.frozen += await this.freezeManagedApplicationHour(managedApp, key);
        if (hour === lastClosed) summary.frozen += await this.freezeCarriesInto(key, managedApp);
      } else if (freeze) {
        for (const usage of await this.deps.usageHours.listResourceHours(key)) {
          if (usage.resourceKind !== 'marketplaceSubscription' || usage.resourceId === undefined || usage.minutes <= 0) continue;
          if (await this.freeze(usage.resourceId, usage.orgId, usage.dimension, key, usage)) summary.frozen += 1;
        }
        // Expired quantities still waiting go into the newest settled hour of their resource and dimension.
        if (hour === lastClosed) summary.frozen += await this.freezeCarriesInto(key, undefined);
      }
      // Last: a run that dies before this settles and freezes the hour again, which finds what exists.
      await this.deps.usageHours.markSettled(key, now);
      summary.settledHours += 1;
    }
  }

  /** One event per dimension with the minutes of every organization of the install in the hour (any billing kind). */
  private async freezeManagedApplicationHour(app: ManagedApplicationBilling, hour: string): Promise<number> {
    const minutes = new Map<UsageDimension, number>();
    for (const usage of await this.deps.usageHours.listResourceHours(hour)) {
      if (usage.minutes > 0) minutes.set(usage.dimension, (minutes.get(usage.dimension) ?? 0) + usage.minutes);
    }
    let frozen = 0;
    for (const [dimension, total] of minutes) {
      if (await this.freeze(app.resourceUsageId, MANAGED_APPLICATION_ORG_ID, dimension, hour, { minutes: total, planId: app.planId }, app.planId)) frozen += 1;
    }
    return frozen;
  }

  /**
   * Freezes the event of one resource, dimension and hour: its quantity is the hour's minutes plus the expired
   * quantities waiting for the pair. False when it exists already.
   */
  private async freeze(
    resourceId: string,
    orgId: string,
    dimension: UsageDimension,
    hour: string,
    usage: Pick<UsageHour, 'minutes' | 'planId'> | undefined,
    /** The plan to bill under when the caller knows it (a managed application's); else the subscription's. */
    knownPlanId?: string,
  ): Promise<boolean> {
    const id = meteringEventIdOf(dimension, hour);
    if ((await this.deps.meteringEvents.get(resourceId, id)) !== undefined) return false;
    const now = this.deps.clock.now();
    let planId = knownPlanId;
    if (planId === undefined) {
      const org = await this.deps.organizations.get(orgId);
      const current = org === undefined ? undefined : billingResourceOf(org);
      // The plan the subscription has now, at submission: the Marketplace bills an hour under one plan.
      planId = current?.resourceId === resourceId && current.planId !== undefined ? current.planId : usage?.planId;
    }
    const carried = await this.takeCarry(resourceId, orgId, dimension, id, now);
    const usageMinutes = usage?.minutes ?? 0;
    const quantity = usageMinutes + carried.reduce((n, c) => n + c.quantity, 0);
    if (quantity <= 0) return false;
    const tooOld = Date.parse(hour) < now.getTime() - MARKETPLACE_ACCEPTANCE_WINDOW_MS + EXPIRY_MARGIN_MS;
    let state: MeteringEventState = 'open';
    let reason: string | undefined;
    if (planId === undefined) {
      state = 'rejected';
      reason = 'No Marketplace plan is known for the subscription.';
    } else if (tooOld) {
      // Rolled forward first, so a crash before the event exists leaves the quantity carried, never lost.
      await this.addCarry(resourceId, orgId, dimension, id, quantity, now);
      state = 'expired';
      reason = 'Older than the Marketplace accepts (24 hours) when it was settled; rolled into the next hour.';
    }
    try {
      await this.deps.meteringEvents.create({
        id,
        resourceId,
        orgId,
        dimension,
        hour,
        usageMinutes,
        carried: carried.map((c) => ({ fromEventId: c.fromEventId, quantity: c.quantity })),
        quantity,
        planId: planId ?? '',
        state,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        ...(reason === undefined ? {} : { reason }),
      });
    } catch (err) {
      if (err instanceof ConflictError) return false;
      throw err;
    }
    return true;
  }

  /** Events for the expired quantities still waiting, in the latest settled hour of their resource and dimension. */
  private async freezeCarriesInto(hour: string, managedApp: ManagedApplicationBilling | undefined): Promise<number> {
    let frozen = 0;
    for (const carry of await this.deps.meteringEvents.listCarries()) {
      if (!carry.entries.some((e) => e.consumedBy === undefined)) continue;
      const planId = managedApp?.resourceUsageId === carry.resourceId ? managedApp.planId : undefined;
      // A suspended (or cancelled) subscription's quantities wait: the Marketplace takes usage of active ones only.
      if (planId === undefined && (await this.subscriptionBlocked(carry.resourceId, carry.orgId))) continue;
      if (await this.freeze(carry.resourceId, carry.orgId, carry.dimension, hour, undefined, planId)) frozen += 1;
    }
    return frozen;
  }

  /** Whether the resource is the organization's Marketplace subscription and that is Suspended or Unsubscribed now. */
  private async subscriptionBlocked(resourceId: string, orgId: string): Promise<boolean> {
    const subscription = (await this.deps.organizations.get(orgId))?.marketplace;
    return subscription?.subscriptionId === resourceId && isSubscriptionBlocked(subscription.status);
  }

  /** Marks the waiting entries as taken by `eventId` (before it is created) and returns what it takes. */
  private async takeCarry(resourceId: string, orgId: string, dimension: UsageDimension, eventId: string, now: Date): Promise<CarryEntry[]> {
    return withOptimisticRetry(async () => {
      const carry = await this.deps.meteringEvents.getCarry(resourceId, dimension);
      if (carry === undefined) return [];
      const kept = carry.entries.filter((e) => e.consumedAt === undefined || Date.parse(e.consumedAt) > now.getTime() - CONSUMED_CARRY_KEPT_MS);
      const waiting = kept.some((e) => e.consumedBy === undefined && e.fromEventId !== eventId);
      const entries = kept.map((e) =>
        e.consumedBy === undefined && e.fromEventId !== eventId ? { ...e, consumedBy: eventId, consumedAt: now.toISOString() } : e,
      );
      if (waiting || kept.length !== carry.entries.length) {
        await writeOrRetry(() => this.deps.meteringEvents.saveCarry({ ...carry, orgId, entries }));
      }
      return entries.filter((e) => e.consumedBy === eventId);
    });
  }

  /** Adds an expired event's quantity once (keyed by the event). */
  private async addCarry(resourceId: string, orgId: string, dimension: UsageDimension, fromEventId: string, quantity: number, now: Date): Promise<void> {
    await withOptimisticRetry(async () => {
      const carry = await this.deps.meteringEvents.getCarry(resourceId, dimension);
      if (carry?.entries.some((e) => e.fromEventId === fromEventId)) return;
      const entry: CarryEntry = { fromEventId, quantity, addedAt: now.toISOString() };
      if (carry === undefined) {
        try {
          await this.deps.meteringEvents.saveCarry({ resourceId, orgId, dimension, entries: [entry] });
        } catch (err) {
          if (err instanceof ConflictError) await writeOrRetry(() => Promise.reject(new PreconditionFailedError()));
          throw err;
        }
        return;
      }
      await writeOrRetry(() => this.deps.meteringEvents.saveCarry({ ...carry, entries: [...carry.entries, entry] }));
    });
  }

  /** Sends one recorded batch and applies each item's status; false when the call must be retried later. */
  private async send(api: MeteringApi, batch: MeteringBatch, summary: MeteringRunSummary): Promise<boolean> {
    summary.calls += 1;
    summary.itemsSent += batch.items.length;
    const outcome = await api.batchUsageEvent(batch.items);
    const at = () => this.deps.clock.now().toISOString();
    if (outcome.kind === 'retry') {
      summary.retryLater += batch.items.length;
      this.deps.logger.warn('a metering batch will be sent again on the next run', { batchId: batch.id, reason: outcome.reason });
      await this.deps.meteringBatches.replace({ ...batch, attempts: batch.attempts + 1, lastError: outcome.reason, updatedAt: at() });
      return false;
    }
    for (const [index, item] of batch.items.entries()) {
      const result: MeteringItemResult =
        outcome.kind === 'rejected'
          ? { status: `HTTP ${outcome.status}`, message: outcome.reason }
          : (outcome.results[index] ?? { status: 'Error', message: 'The Marketplace gave no result for this item.' });
      await this.applyResult(item, result, summary);
    }
    await this.deps.meteringBatches.replace({ ...batch, state: 'done', attempts: batch.attempts + 1, updatedAt: at() });
    return true;
  }

  private async applyResult(item: MeteringItem, result: MeteringItemResult, summary: MeteringRunSummary): Promise<void> {
    const now = this.deps.clock.now();
    let change: Partial<MeteringEvent> & { state: MeteringEventState };
    if (result.status === 'Accepted') {
      summary.accepted += 1;
      change = { state: 'accepted', usageEventId: result.usageEventId, status: 'Accepted' };
    } else if (result.status === 'Duplicate' && result.acceptedQuantity === item.quantity) {
      // Ours, accepted by an earlier send whose answer was lost.
      summary.duplicates += 1;
      change = { state: 'accepted', usageEventId: result.usageEventId, status: 'Duplicate' };
    } else if (result.status === 'Duplicate') {
      summary.conflicts += 1;
      change = { state: 'conflict', status: 'Duplicate', marketplaceQuantity: result.acceptedQuantity, reason: result.message };
      this.deps.logger.warn('the Marketplace holds another quantity for a metered hour; flagged for reconciliation', {
        resourceId: item.resourceId,
        eventId: item.eventId,
        ours: item.quantity,
        theirs: result.acceptedQuantity,
      });
    } else if (result.status === 'Expired') {
      summary.expired += 1;
      const event = await this.deps.meteringEvents.get(item.resourceId, item.eventId);
      if (event?.state === 'open') await this.addCarry(item.resourceId, event.orgId, item.dimension, item.eventId, item.quantity, now);
      change = { state: 'expired', status: 'Expired', reason: result.message ?? 'Older than 24 hours; rolled into the next hour.' };
    } else {
      summary.rejected += 1;
      const event = await this.deps.meteringEvents.get(item.resourceId, item.eventId);
      const subscription = event?.state === 'open' ? (await this.deps.organizations.get(event.orgId))?.marketplace : undefined;
      if (event !== undefined && subscription?.subscriptionId === item.resourceId && subscription.status === 'Suspended') {
        // Refused because the subscription is suspended: recorded, not resent, and its quantity waits (carried, keyed
        // by this event) for a Reinstate, after which it goes out in the resource's next event.
        await this.addCarry(item.resourceId, event.orgId, item.dimension, item.eventId, item.quantity, now);
        const reason = `${result.message ?? result.status} (subscription suspended; the quantity is carried to the next event after a Reinstate)`;
        change = { state: 'rejected', status: result.status, reason };
        this.deps.logger.warn('a metered hour of a suspended subscription was refused; its quantity waits for a Reinstate', {
          resourceId: item.resourceId,
          eventId: item.eventId,
          status: result.status,
        });
      } else {
        change = { state: 'rejected', status: result.status, reason: result.message };
        this.deps.logger.error('the Marketplace rejected a metered hour', { resourceId: item.resourceId, eventId: item.eventId, status: result.status });
      }
    }
    await withOptimisticRetry(async () => {
      const event = await this.deps.meteringEvents.get(item.resourceId, item.eventId);
      if (event === undefined || event.state !== 'open') return;
      await writeOrRetry(() => this.deps.meteringEvents.replace({ ...event, ...change, updatedAt: now.toISOString() }));
    });
  }
}

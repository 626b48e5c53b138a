import type { UsageDimension } from './usage-prices.js';

/**
 * Submission of usage to the Azure Marketplace Metering API (README, Usage and metering). One **metering event** per
 * billing resource, dimension and closed hour with usage, frozen create-only before anything is sent; sent in batches
 * of at most 25, each batch recorded create-only before its call; every item's status is read back.
 */

/** The Metering API allows at most this many items in one `batchUsageEvent` call. */
export const MAX_BATCH_ITEMS = 25;
/** The Marketplace refuses usage whose `effectiveStartTime` is older than this (status `Expired`). */
export const MARKETPLACE_ACCEPTANCE_WINDOW_MS = 24 * 3_600_000;

/**
 * - `open`: frozen, not yet answered (sent in a batch, or waiting for one);
 * - `accepted`: Accepted, or a Duplicate carrying the same quantity (an earlier send of ours was accepted);
 * - `conflict`: a Duplicate carrying another quantity: the Marketplace holds a different figure for that hour; flagged
 *   for reconciliation, nothing rolled forward;
 * - `expired`: Expired (older than 24 hours): its quantity rolls into the resource's next event (see MeteringCarry);
 * - `rejected`: another status (ResourceNotFound, InvalidDimension, ...), recorded with its reason; when the
 *   organization's subscription is Suspended, its quantity is also carried and waits for a Reinstate.
 */
export type MeteringEventState = 'open' | 'accepted' | 'conflict' | 'expired' | 'rejected';

export interface CarriedQuantity {
  /** The expired event the quantity comes from. */
  readonly fromEventId: string;
  readonly quantity: number;
}

export interface MeteringEvent {
  /** `<dimension>:<hour>`, unique within the resource (partition). */
  readonly id: string;
  readonly resourceId: string;
  readonly orgId: string;
  readonly dimension: UsageDimension;
  readonly hour: string;
  /** The hour's billed minutes when the event was frozen. */
  readonly usageMinutes: number;
  /** Quantities of expired events rolled into this one. */
  readonly carried: readonly CarriedQuantity[];
  /** What is sent: usageMinutes plus the carried quantities. */
  readonly quantity: number;
  /** The subscription's plan when the event was frozen (the plan current at submission time). */
  readonly planId: string;
  readonly state: MeteringEventState;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly usageEventId?: string | undefined;
  /** For a conflict: the quantity the Marketplace holds. */
  readonly marketplaceQuantity?: number | undefined;
  /** The status and message the Marketplace answered, for anything not accepted. */
  readonly status?: string | undefined;
  readonly reason?: string | undefined;
  readonly etag: string;
}

export type NewMeteringEvent = Omit<MeteringEvent, 'etag'>;

export const meteringEventIdOf = (dimension: UsageDimension, hour: string): string => `${dimension}:${hour}`;

/**
 * Expired quantities of one resource and dimension (one document per pair). An entry is added once per expired event
 * (keyed by its id, so a repeated answer adds nothing) and is never removed while it matters: the event that takes it
 * marks it `consumedBy` itself before that event is created, and lists it in `carried`. Consumed entries are pruned
 * after a week.
 */
export interface MeteringCarry {
  readonly resourceId: string;
  readonly orgId: string;
  readonly dimension: UsageDimension;
  readonly entries: readonly CarryEntry[];
  readonly etag: string;
}

export interface CarryEntry extends CarriedQuantity {
  readonly addedAt: string;
  readonly consumedBy?: string | undefined;
  readonly consumedAt?: string | undefined;
}

export interface MeteringItem {
  readonly resourceId: string;
  readonly eventId: string;
  readonly dimension: UsageDimension;
  readonly hour: string;
  readonly quantity: number;
  readonly planId: string;
}

/**
 * A `batchUsageEvent` call, recorded create-only before it is made (`pending`), with the exact items sent. A pending
 * batch found by a later run (the process died between recording and sending, or between sending and recording the
 * answer, or the call failed with 429/5xx) is sent again with the same items: what the Marketplace accepted the first
 * time comes back as a Duplicate with the same quantity, so nothing is billed twice and nothing is lost.
 */
export interface MeteringBatch {
  readonly id: string;
  readonly state: 'pending' | 'done';
  readonly items: readonly MeteringItem[];
  readonly attempts: number;
  readonly lastError?: string | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly etag: string;
}

export type NewMeteringBatch = Omit<MeteringBatch, 'etag'>;

export interface MeteringEventRepository {
  get(resourceId: string, eventId: string): Promise<MeteringEvent | undefined>;
  /** Create-only: ConflictError when the event exists (it was frozen before). */
  create(event: NewMeteringEvent): Promise<MeteringEvent>;
  replace(event: MeteringEvent): Promise<MeteringEvent>;
  /** Events in state `open` (across resources). */
  listOpen(): Promise<MeteringEvent[]>;
  /** Events of hours in [from, to) (across resources), for reconciliation. */
  listBetween(from: string, to: string): Promise<MeteringEvent[]>;
  getCarry(resourceId: string, dimension: UsageDimension): Promise<MeteringCarry | undefined>;
  /** Creates (etag undefined) or replaces on the ETag. */
  saveCarry(carry: Omit<MeteringCarry, 'etag'> & { readonly etag?: string | undefined }): Promise<MeteringCarry>;
  /** Carries with entries waiting (across resources). */
  listCarries(): Promise<MeteringCarry[]>;
}

export interface MeteringBatchRepository {
  create(batch: NewMeteringBatch): Promise<MeteringBatch>;
  replace(batch: MeteringBatch): Promise<MeteringBatch>;
  listPending(): Promise<MeteringBatch[]>;
}

/** One item's answer, as `batchUsageEvent` gives it. */
export interface MeteringItemResult {
  readonly status: string;
  readonly usageEventId?: string | undefined;
  /** For a Duplicate: the quantity of the event the Marketplace already holds. */
  readonly acceptedQuantity?: number | undefined;
  readonly message?: string | undefined;
}

/** The whole call's outcome: per-item results in the order sent, or a failure of the call itself. */
export type MeteringCallOutcome =
  | { readonly kind: 'results'; readonly results: readonly MeteringItemResult[] }
  /** 429, 5xx, a lost connection, an auth failure: nothing is known; the batch is sent again on the next run. */
  | { readonly kind: 'retry'; readonly reason: string }
  /** 400 and other client errors for the whole batch: the items cannot be sent as they are. */
  | { readonly kind: 'rejected'; readonly status: number; readonly reason: string };

/** What the Marketplace reports as processed for one resource, dimension and day (the reconciliation's source). */
export interface MarketplaceUsageRecord {
  readonly resourceId: string;
  readonly dimension: string;
  /** The UTC day, `YYYY-MM-DD`. */
  readonly day: string;
  readonly quantity: number;
}

/** The Marketplace Metering API. */
export interface MeteringApi {
  batchUsageEvent(items: readonly MeteringItem[]): Promise<MeteringCallOutcome>;
  /** The usage the Marketplace recorded for the days in [fromDay, toDay]. */
  usageReport(fromDay: string, toDay: string): Promise<MarketplaceUsageRecord[]>;
}

/** One difference found by the daily reconciliation. */
export interface ReconciliationDifference {
  readonly resourceId: string;
  readonly dimension: string;
  readonly kind: 'acceptedVsReported' | 'conflict' | 'usageAfterFreeze' | 'rejected';
  readonly ours: number;
  readonly theirs: number;
  readonly hour?: string | undefined;
  readonly detail?: string | undefined;
}

/** The reconciliation of one UTC day (`metering-reconciliations`, id = the day): replaced by a later run of the same day. */
export interface MeteringReconciliation {
  readonly day: string;
  readonly checkedAt: string;
  readonly resources: number;
  readonly acceptedQuantity: number;
  readonly reportedQuantity: number;
  readonly differences: readonly ReconciliationDifference[];
}

export interface MeteringReconciliationRepository {
  save(reconciliation: MeteringReconciliation): Promise<void>;
  get(day: string): Promise<MeteringReconciliation | undefined>;
}

/**
 * What a managed-application install bills to (README, Deploy to Azure, As a managed application): the application
 * whose managed resource group the service runs in. All usage of the install goes to its `resourceUsageId`, whichever
 * organization it belongs to.
 */
export interface ManagedApplicationBilling {
  /** The managed application's resource id (the resource group's `managedBy`). */
  readonly applicationId: string;
  /** `properties.billingDetails.resourceUsageId`: the Metering API's `resourceId`. */
  readonly resourceUsageId: string;
  /** The application's `plan.name`: the Metering API's `planId`. */
  readonly planId: string;
}

export interface ManagedApplicationBillingSource {
  /** Rejects with a message that says what is missing when the install cannot be billed (not cached). */
  resolve(): Promise<ManagedApplicationBilling>;
}

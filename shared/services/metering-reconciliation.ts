import type { Clock } from '../domain/clock.js';
import type { Logger } from '../domain/logger.js';
import type {
  MeteringApi,
  MeteringEventRepository,
  MeteringReconciliation,
  MeteringReconciliationRepository,
  ReconciliationDifference,
} from '../domain/metering.js';
import { HOUR_MS, scopeKeyOf, type UsageHourRepository } from '../domain/usage.js';

const DAY_MS = 24 * HOUR_MS;

export interface MeteringReconciliationDeps {
  readonly meteringEvents: MeteringEventRepository;
  readonly usageHours: UsageHourRepository;
  /** Undefined without Marketplace settings: nothing was submitted, so the report is taken as empty. */
  readonly meteringApi: MeteringApi | undefined;
  readonly reconciliations: MeteringReconciliationRepository;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The daily check of one UTC day (yesterday by default): what the Marketplace accepted from us, per resource and
 * dimension, against its usage report; events it holds with another quantity (conflicts) or refused; and hours whose
 * usage changed after their event was frozen (a session event that came later than the settle delay). Differences
 * are recorded (`metering-reconciliations`, one document per day) and logged; nothing is resubmitted automatically.
 */
export class MeteringReconciler {
  constructor(private readonly deps: MeteringReconciliationDeps) {}

  async reconcile(day?: string): Promise<MeteringReconciliation> {
    const start = day === undefined ? Math.floor(this.deps.clock.now().getTime() / DAY_MS) * DAY_MS - DAY_MS : Date.parse(`${day}T00:00:00.000Z`);
    const dayKey = new Date(start).toISOString().slice(0, 10);
    const from = new Date(start).toISOString();
    const to = new Date(start + DAY_MS).toISOString();
    const events = await this.deps.meteringEvents.listBetween(from, to);
    const differences: ReconciliationDifference[] = [];
    const accepted = new Map<string, { resourceId: string; dimension: string; quantity: number }>();
    const keyOf = (resourceId: string, dimension: string) => `${resourceId}\u0000${dimension}`;
    for (const event of events) {
      const key = keyOf(event.resourceId, event.dimension);
      const sum = accepted.get(key) ?? { resourceId: event.resourceId, dimension: event.dimension, quantity: 0 };
      if (event.state === 'accepted') sum.quantity += event.quantity;
      if (event.state === 'conflict') {
        // The Marketplace bills what it holds for that hour.
        sum.quantity += event.marketplaceQuantity ?? 0;
        differences.push({
          resourceId: event.resourceId,
          dimension: event.dimension,
          kind: 'conflict',
          hour: event.hour,
          ours: event.quantity,
          theirs: event.marketplaceQuantity ?? 0,
          detail: event.reason,
        });
      }
      if (event.state === 'rejected') {
        differences.push({
          resourceId: event.resourceId,
          dimension: event.dimension,
          kind: 'rejected',
          hour: event.hour,
          ours: event.quantity,
          theirs: 0,
          detail: `${event.status ?? ''} ${event.reason ?? ''}`.trim(),
        });
      }
      accepted.set(key, sum);
      const usage = await this.deps.usageHours.get(scopeKeyOf({ kind: 'resource', resourceId: event.resourceId }), event.dimension, event.hour);
      if (usage !== undefined && usage.minutes !== event.usageMinutes) {
        differences.push({
          resourceId: event.resourceId,
          dimension: event.dimension,
          kind: 'usageAfterFreeze',
          hour: event.hour,
          ours: usage.minutes,
          theirs: event.usageMinutes,
          detail: 'The hour\'s recorded minutes changed after its event was frozen.',
        });
      }
    }
    const report = this.deps.meteringApi === undefined ? [] : await this.deps.meteringApi.usageReport(dayKey, dayKey);
    const reported = new Map<string, number>();
    for (const record of report) {
      if (record.day !== dayKey) continue;
      const key = keyOf(record.resourceId, record.dimension);
      reported.set(key, (reported.get(key) ?? 0) + record.quantity);
      if (!accepted.has(key)) accepted.set(key, { resourceId: record.resourceId, dimension: record.dimension, quantity: 0 });
    }
    let acceptedQuantity = 0;
    let reportedQuantity = 0;
    for (const [key, sum] of accepted) {
      const theirs = reported.get(key) ?? 0;
      acceptedQuantity += sum.quantity;
      reportedQuantity += theirs;
      if (sum.quantity !== theirs) {
        differences.push({ resourceId: sum.resourceId, dimension: sum.dimension, kind: 'acceptedVsReported', ours: sum.quantity, theirs });
      }
    }
    const reconciliation: MeteringReconciliation = {
      day: dayKey,
      checkedAt: this.deps.clock.now().toISOString(),
      resources: new Set([...accepted.values()].map((s) => s.resourceId)).size,
      acceptedQuantity,
      reportedQuantity,
      differences,
    };
    await this.deps.reconciliations.save(reconciliation);
    if (differences.length > 0) {
      this.deps.logger.warn('metering reconciliation found differences', { day: dayKey, differences: differences.length });
    }
    return reconciliation;
  }
}

import type { Metrics } from '../domain/metrics.js';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../domain/logger.js';
import type {
  ManagedApplicationBillingSource,
  MeteringApi,
  MeteringBatchRepository,
  MeteringEventRepository,
  MeteringReconciliationRepository,
} from '../domain/metering.js';
import type { OrganizationRepository } from '../domain/organization-repository.js';
import type { ProjectRepository } from '../domain/project-repository.js';
import type { SessionRepository } from '../domain/session.js';
import type { UsageContributionRepository, UsageEventQueue, UsageHourRepository, UsageSessionSource } from '../domain/usage.js';
import { MeteringReconciler } from './metering-reconciliation.js';
import { MeteringSubmission, type MeteringSettings } from './metering-submission.js';
import type { OrganizationAccess } from './organization-access.js';
import { UsageRecorder } from './usage-recorder.js';
import { UsageReports } from './usage-reports.js';

/** The stores and queues of usage and metering (shared/adapters/metering/usage-ports.ts builds them on Azure). */
export interface UsagePorts {
  readonly usageContributions: UsageContributionRepository;
  readonly usageHours: UsageHourRepository;
  readonly usageQueue: UsageEventQueue;
  readonly usageSessions: UsageSessionSource;
  readonly meteringEvents: MeteringEventRepository;
  readonly meteringBatches: MeteringBatchRepository;
  readonly meteringReconciliations: MeteringReconciliationRepository;
  /** Undefined without Marketplace settings: usage is recorded but not submitted. */
  readonly meteringApi: MeteringApi | undefined;
  readonly meteringSettings?: MeteringSettings | undefined;
  /** Set in a managed-application install (MANAGED_APP_METERING): all usage is billed to the application. */
  readonly managedApplication?: ManagedApplicationBillingSource | undefined;
}

export interface UsageServices {
  /** Sessions into usage: the close hook, the `usage-events` queue, the hourly snapshot, the settling of an hour. */
  readonly recorder: UsageRecorder;
  /** The usage API. */
  readonly reports: UsageReports;
  /** The timer-triggered submission to the Marketplace Metering API. */
  readonly submission: MeteringSubmission;
  /** The daily reconciliation with the Marketplace's usage report. */
  readonly reconciler: MeteringReconciler;
}

export function createUsageServices(
  usage: UsagePorts,
  core: {
    readonly sessions: SessionRepository;
    readonly organizations: OrganizationRepository;
    readonly projects: ProjectRepository;
    readonly access: OrganizationAccess;
    readonly clock: Clock;
    readonly logger: Logger;
    readonly metrics?: Metrics | undefined;
  },
): UsageServices {
  const recorder = new UsageRecorder({ ...core, ...usage });
  return {
    recorder,
    reports: new UsageReports({ ...core, usageHours: usage.usageHours }),
    submission: new MeteringSubmission({ ...core, ...usage, recorder, settings: usage.meteringSettings }),
    reconciler: new MeteringReconciler({ ...core, ...usage, reconciliations: usage.meteringReconciliations }),
  };
}

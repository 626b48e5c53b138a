import type { FunctionRegistration, FunctionsCoreRegistry } from '../functions-core/index.js';
import { BlobListener } from './blob/blob-listener.js';
import { parseBlobPath } from './blob/blob-path.js';
import { BlobReceipts } from './blob/blob-receipts.js';
import { HostStartupError } from './errors.js';
import type { HostJson } from './host-json.js';
import { httpRouteOf, type HttpRoute } from './http/route-table.js';
import type { InflightWork } from './inflight.js';
import type { HostLogger } from './logger.js';
import type { ResolvedTuning } from './options.js';
import { QueueListener } from './queue/queue-listener.js';
import { booleanOption, stringOption, triggerBindingOf } from './rpc-data.js';
import { resolveSettingReferences, type HostSettings } from './settings.js';
import { resolveStorageConnection, type StorageClients } from './storage-clients.js';
import { ScheduleMonitor } from './timer/schedule-monitor.js';
import { firesAtMostOncePerMinute, parseTimerSchedule } from './timer/schedule.js';
import { TimerListener } from './timer/timer-listener.js';

/** A non-HTTP trigger: something that watches a source and invokes its function. */
export interface TriggerListener {
  readonly functionName: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface TriggerContext {
  readonly registry: FunctionsCoreRegistry;
  readonly settings: HostSettings;
  readonly hostJson: HostJson;
  readonly hostId: string;
  readonly storage: StorageClients;
  readonly inflight: InflightWork;
  readonly logger: HostLogger;
  readonly tuning: ResolvedTuning;
}

export interface TriggerPlan {
  readonly httpRoutes: HttpRoute[];
  readonly listeners: TriggerListener[];
}

function requiredOption(value: string | undefined, option: string, where: string): string {
  if (!value) {
    throw new HostStartupError(`${where} has no "${option}".`);
  }
  return value;
}

function timeZoneOf(settings: HostSettings): string {
  const timeZone = settings['WEBSITE_TIME_ZONE']?.trim() || 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new HostStartupError(`WEBSITE_TIME_ZONE "${timeZone}" is not an IANA time zone name.`);
  }
  return timeZone;
}

/**
 * Only the HTTP response binding is served besides triggers. Any other input or output binding would be
 * silently ignored, so it stops start-up instead (the app reaches storage through its SDK adapters).
 */
function assertServedBindings(registration: FunctionRegistration, where: string): void {
  for (const [name, binding] of Object.entries(registration.metadata.bindings)) {
    const type = (binding.type ?? '').toLowerCase();
    if (/trigger$/.test(type) || (type === 'http' && binding.direction === 'out')) continue;
    throw new HostStartupError(
      `${where} declares the ${binding.direction ?? ''} binding "${name}" of type "${binding.type ?? 'unknown'}", which the local host does not serve.`,
    );
  }
}

/** Validates every registration before anything starts, so a bad setting fails start-up with its name. */
export function planTriggers(registrations: readonly FunctionRegistration[], context: TriggerContext): TriggerPlan {
  const plan: TriggerPlan = { httpRoutes: [], listeners: [] };
  const { settings, hostJson, storage } = context;
  for (const registration of registrations) {
    const name = registration.metadata.name;
    const where = `Function "${name}"`;
    const { name: bindingName, binding } = triggerBindingOf(registration);
    const type = (binding.type ?? '').toLowerCase();
    const connection = stringOption(binding, 'connection');
    assertServedBindings(registration, where);

    if (type === 'httptrigger') {
      plan.httpRoutes.push(httpRouteOf(registration, hostJson.routePrefix));
    } else if (type === 'queuetrigger') {
      const queueName = resolveSettingReferences(
        requiredOption(stringOption(binding, 'queueName'), 'queueName', where),
        settings,
        where,
      ).toLowerCase();
      const storageConnection = resolveStorageConnection(settings, connection, where);
      plan.listeners.push(
        new QueueListener({
          registry: context.registry,
          registration,
          bindingName,
          queueService: storage.queueService(storageConnection),
          queueName,
          queueOptions: hostJson.queues,
          messageLeaseMs: context.tuning.queueMessageLeaseMs,
          minPollingIntervalMs: context.tuning.queueMinPollingIntervalMs,
          inflight: context.inflight,
          logger: context.logger,
        }),
      );
    } else if (type === 'blobtrigger') {
      const path = resolveSettingReferences(requiredOption(stringOption(binding, 'path'), 'path', where), settings, where);
      const storageConnection = resolveStorageConnection(settings, connection, where);
      const blobService = storage.blobService(storageConnection);
      plan.listeners.push(
        new BlobListener({
          registry: context.registry,
          registration,
          bindingName,
          blobService,
          queueService: storage.queueService(storageConnection),
          pattern: parseBlobPath(path, where),
          receipts: new BlobReceipts(blobService, context.hostId, name),
          pollIntervalMs: context.tuning.blobPollIntervalMs,
          maxParallelism: hostJson.blobs.maxDegreeOfParallelism,
          maxAttempts: hostJson.blobs.poisonBlobThreshold,
          messageEncoding: hostJson.queues.messageEncoding,
          inflight: context.inflight,
          logger: context.logger,
        }),
      );
    } else if (type === 'timertrigger') {
      const expression = resolveSettingReferences(
        requiredOption(stringOption(binding, 'schedule'), 'schedule', where),
        settings,
        where,
      );
      const schedule = parseTimerSchedule(expression, timeZoneOf(settings), where);
      const explicitMonitor = booleanOption(binding, 'useMonitor');
      const useMonitor = explicitMonitor ?? firesAtMostOncePerMinute(schedule);
      let monitor: ScheduleMonitor | undefined;
      if (useMonitor) {
        try {
          const storageConnection = resolveStorageConnection(settings, undefined, where);
          monitor = new ScheduleMonitor(storage.blobService(storageConnection), context.hostId, name);
        } catch (error) {
          // Azure always has AzureWebJobsStorage; locally a timer runs unmonitored unless useMonitor was asked for.
          if (explicitMonitor) throw error;
        }
      }
      plan.listeners.push(
        new TimerListener({
          registry: context.registry,
          registration,
          bindingName,
          schedule,
          runOnStartup: booleanOption(binding, 'runOnStartup') ?? false,
          monitor,
          inflight: context.inflight,
          logger: context.logger,
        }),
      );
    } else {
      throw new HostStartupError(
        `${where} uses the trigger "${binding.type ?? 'unknown'}", which the local host does not serve (http, queue, blob and timer only).`,
      );
    }
  }
  return plan;
}

import type { FunctionRegistration, FunctionsCoreRegistry } from '../../functions-core/index.js';
import type { InflightWork } from '../inflight.js';
import { invokeRegistration, newInvocationId } from '../invoke.js';
import { describeError, type HostLogger } from '../logger.js';
import { jsonData, sysMetadata } from '../rpc-data.js';
import type { ScheduleMonitor, ScheduleStatus } from './schedule-monitor.js';
import type { TimerSchedule } from './schedule.js';

export interface TimerListenerOptions {
  readonly registry: FunctionsCoreRegistry;
  readonly registration: FunctionRegistration;
  readonly bindingName: string;
  readonly schedule: TimerSchedule;
  readonly runOnStartup: boolean;
  /** Present when the schedule status is persisted (useMonitor). */
  readonly monitor: ScheduleMonitor | undefined;
  readonly inflight: InflightWork;
  readonly logger: HostLogger;
}

/** setTimeout cannot wait longer than this; longer waits re-arm. */
const maxTimeoutMs = 2_147_483_647;

/**
 * The timer trigger: one invocation at a time, the next occurrence computed after each run (so a slow run
 * skips occurrences instead of piling them up), and a failing run only logged, as in Azure.
 */
export class TimerListener {
  readonly #options: TimerListenerOptions;
  readonly #category: string;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #status: ScheduleStatus | undefined;

  constructor(options: TimerListenerOptions) {
    this.#options = options;
    this.#category = `Function.${options.registration.metadata.name}`;
  }

  get functionName(): string {
    return this.#options.registration.metadata.name;
  }

  async start(): Promise<void> {
    const now = new Date();
    const { monitor, schedule } = this.#options;
    let pastDue = false;
    if (monitor) {
      this.#status = await monitor.read();
      pastDue = this.#status !== undefined && Date.parse(this.#status.Next) < now.getTime();
      if (!this.#status) {
        this.#status = { Last: new Date(0).toISOString(), Next: schedule.next(now).toISOString(), LastUpdated: now.toISOString() };
        await monitor.write(this.#status);
      }
    }
    this.#options.logger.info(this.#category, 'Timer scheduled', {
      functionName: this.functionName,
      schedule: schedule.expression,
      next: schedule.next(now).toISOString(),
      pastDue,
    });
    if (pastDue || this.#options.runOnStartup) {
      const due = pastDue && this.#status ? new Date(this.#status.Next) : now;
      void this.#options.inflight.track(this.#fire(due, pastDue));
    } else {
      this.#arm(schedule.next(now));
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #arm(due: Date): void {
    if (this.#stopped) return;
    const wait = due.getTime() - Date.now();
    if (wait > maxTimeoutMs) {
      this.#timer = setTimeout(() => this.#arm(due), maxTimeoutMs);
      return;
    }
    this.#timer = setTimeout(
      () => {
        // Timers may fire a hair early; an occurrence runs at or after its time.
        if (Date.now() < due.getTime()) {
          this.#arm(due);
          return;
        }
        void this.#options.inflight.track(this.#fire(due, false));
      },
      Math.max(0, wait),
    );
  }

  async #fire(due: Date, isPastDue: boolean): Promise<void> {
    if (this.#stopped) return;
    const invocationId = newInvocationId();
    const started = Date.now();
    const timerInput = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: this.#status ?? null,
      IsPastDue: isPastDue,
    };
    try {
      await invokeRegistration(this.#options.registry, this.#options.registration, {
        invocationId,
        inputData: [{ name: this.#options.bindingName, data: jsonData(timerInput) }],
        triggerMetadata: { sys: sysMetadata(this.functionName) },
      });
      this.#options.logger.info(this.#category, 'Executed (Succeeded)', {
        invocationId,
        functionName: this.functionName,
        isPastDue,
        durationMs: Date.now() - started,
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
      this.#options.logger.error(this.#category, 'Executed (Failed)', {
        invocationId,
        functionName: this.functionName,
        isPastDue,
        durationMs: Date.now() - started,
        ...describeError(cause),
      });
    }

    const now = new Date();
    const next = this.#options.schedule.next(now.getTime() > due.getTime() ? now : due);
    if (this.#options.monitor) {
      this.#status = { Last: due.toISOString(), Next: next.toISOString(), LastUpdated: now.toISOString() };
      try {
        await this.#options.monitor.write(this.#status);
      } catch (error) {
        this.#options.logger.warn(this.#category, 'Saving the schedule status failed', describeError(error));
      }
    }
    this.#arm(next);
  }
}

import type { HostLogLine } from './logger.js';

export interface LocalHostOptions {
  /** The folder holding host.json (routePrefix, queue and blob settings, log level). */
  readonly appDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Interface to listen on; all interfaces when omitted. */
  readonly host?: string;
  /** App settings: `%NAME%` references, storage connections, AzureFunctionsWebHost__hostid, WEBSITE_TIME_ZONE. */
  readonly settings: Readonly<Record<string, string | undefined>>;
  /** Receives every structured log record; one JSON line on stdout when omitted. */
  readonly log?: (line: HostLogLine) => void;
  readonly tuning?: LocalHostTuning;
}

/** Knobs with production-like defaults; tests shorten them. */
export interface LocalHostTuning {
  /** How long stop() waits for in-flight invocations (default 30 s). */
  readonly shutdownTimeoutMs?: number;
  /** Pause between container scans of blob triggers (default 2 s). */
  readonly blobPollIntervalMs?: number;
  /** How long a received queue message stays invisible before it is renewed (default 60 s). */
  readonly queueMessageLeaseMs?: number;
  /** First pause after an empty queue read, doubling up to maxPollingInterval (default 100 ms). */
  readonly queueMinPollingIntervalMs?: number;
  /** Largest accepted request body (default 100 MB, as the Functions host). */
  readonly maxRequestBodyBytes?: number;
}

export interface ResolvedTuning {
  readonly shutdownTimeoutMs: number;
  readonly blobPollIntervalMs: number;
  readonly queueMessageLeaseMs: number;
  readonly queueMinPollingIntervalMs: number;
  readonly maxRequestBodyBytes: number;
}

export function resolveTuning(tuning: LocalHostTuning = {}): ResolvedTuning {
  return {
    shutdownTimeoutMs: tuning.shutdownTimeoutMs ?? 30_000,
    blobPollIntervalMs: tuning.blobPollIntervalMs ?? 2_000,
    queueMessageLeaseMs: Math.max(1_000, tuning.queueMessageLeaseMs ?? 60_000),
    queueMinPollingIntervalMs: tuning.queueMinPollingIntervalMs ?? 100,
    maxRequestBodyBytes: tuning.maxRequestBodyBytes ?? 104_857_600,
  };
}

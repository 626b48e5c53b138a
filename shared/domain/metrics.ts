/**
 * Numbers the operators watch (session minutes, ingestion times, submission results), recorded where they happen.
 * Dimensions are low-cardinality labels (a hosting, an outcome, a channel type), never ids of tenants' data, and never
 * secrets. The adapter decides where they go (structured log lines in Azure; see README "Operations").
 */
export interface Metrics {
  record(name: string, value: number, dimensions?: Readonly<Record<string, string>>): void;
}

/** Records nothing: for composition roots and tests that do not watch metrics. */
export const noMetrics: Metrics = { record: () => undefined };

/** The metric names the code records, so queries and dashboards have one list to follow. */
export const METRIC_NAMES = {
  /** A closed session's active time, in seconds; dimensions `hosting`, `channelType`, `closeReason`. */
  sessionActiveSeconds: 'session.active_seconds',
  /** The whole-minute usage a closed session is billed for; dimensions as above. */
  sessionBilledMinutes: 'session.billed_minutes',
  /** The time one knowledge file's ingest took, in milliseconds; dimension `outcome` (ready, failed). */
  knowledgeIngestMs: 'knowledge.ingest_ms',
  /** Metering API calls one submission run made. */
  meteringCalls: 'metering.calls',
  /** Usage events one submission run settled, by `outcome` (accepted, duplicate, conflict, expired, rejected, retryLater). */
  meteringItems: 'metering.items',
} as const;

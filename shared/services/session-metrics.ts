import { METRIC_NAMES, type Metrics } from '../domain/metrics.js';
import type { Session } from '../domain/session.js';

/**
 * The close hook that records a closed session's active time and billed minutes, by hosting (the price dimension),
 * channel type and close reason. A session that never started has no active time and records nothing.
 */
export function recordClosedSessionMetrics(metrics: Metrics): (session: Session) => Promise<void> {
  return async (session) => {
    if (session.activeSeconds === undefined) return;
    const dimensions = { hosting: session.hosting, channelType: session.channelType, closeReason: session.closeReason ?? 'unknown' };
    metrics.record(METRIC_NAMES.sessionActiveSeconds, session.activeSeconds, dimensions);
    if (session.cost !== undefined) metrics.record(METRIC_NAMES.sessionBilledMinutes, session.cost.billedMinutes, dimensions);
  };
}

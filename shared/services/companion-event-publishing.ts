import type { Clock } from '../domain/clock.js';
import type { Companion } from '../domain/companion.js';
import { companionEventOf, type CompanionEventType } from '../domain/companion-events.js';
import type { EventPublisher } from '../domain/event-publisher.js';
import type { Logger } from '../domain/logger.js';

export interface CompanionEventDeps {
  readonly events: EventPublisher;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Queues the event of a change that is already stored. The change stands whatever happens here, so a failure to
 * queue is logged with the event id (for redelivery by hand) rather than reported as a failure of the change, which a
 * client retry would duplicate.
 */
export async function publishCompanionEvent(deps: CompanionEventDeps, type: CompanionEventType, companion: Companion): Promise<void> {
  const event = companionEventOf(type, companion, deps.clock.now().toISOString());
  try {
    await deps.events.publish(event);
  } catch (err) {
    deps.logger.error('a companion event could not be queued for webhook delivery', {
      eventId: event.id,
      type,
      companionId: companion.id,
      projectId: companion.projectId,
      err,
    });
  }
}

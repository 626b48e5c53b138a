import { createHash } from 'node:crypto';
import type { Companion } from './companion.js';
import { publicCompanionOf } from './companion-public-view.js';
import { unquoteEtag } from './etag.js';
import type { WebhookEvent } from './webhook-event.js';

export type CompanionEventType = 'companion.created' | 'companion.updated' | 'companion.deleted';

/**
 * The event for one change of a companion. Its id is derived from the companion, the version the change produced
 * (or, for a deletion, the last version) and the type, so a retried publication carries the same id.
 */
export function companionEventOf(type: CompanionEventType, companion: Companion, occurredAt: string): WebhookEvent {
  const digest = createHash('sha256')
    .update(`${companion.id}\n${unquoteEtag(companion.etag)}\n${type}`)
    .digest('base64url')
    .slice(0, 32);
  return {
    id: `evt_${digest}`,
    type,
    orgId: companion.orgId,
    projectId: companion.projectId,
    occurredAt,
    data: { companion: publicCompanionOf(companion) },
  };
}

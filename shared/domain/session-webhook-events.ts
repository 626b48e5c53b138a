import { createHash } from 'node:crypto';
import type { Session } from './session.js';
import type { WebhookEvent } from './webhook-event.js';

export type SessionEventType = 'session.started' | 'session.closed';

/** A session's start or close, as a project's webhook receives it; one id per session and type, so repeats dedupe. */
export function sessionWebhookEventOf(type: SessionEventType, session: Session): WebhookEvent {
  const digest = createHash('sha256').update(`${session.id}\n${type}`).digest('base64url').slice(0, 32);
  return {
    id: `evt_${digest}`,
    type,
    orgId: session.orgId,
    projectId: session.projectId,
    occurredAt: (type === 'session.started' ? session.startedAt : session.closedAt) ?? session.createdAt,
    data: {
      session: {
        id: session.id,
        ...(session.agentId === undefined ? {} : { agentId: session.agentId }),
        companionId: session.companionId,
        channelType: session.channelType,
        modality: session.modality,
        ...(session.externalClientId === undefined ? {} : { externalClientId: session.externalClientId }),
        tags: session.tags,
        status: session.status,
        createdAt: session.createdAt,
        ...(session.startedAt === undefined ? {} : { startedAt: session.startedAt }),
        ...(session.closedAt === undefined ? {} : { closedAt: session.closedAt }),
        ...(session.closeReason === undefined ? {} : { closeReason: session.closeReason }),
        ...(session.activeSeconds === undefined ? {} : { activeSeconds: session.activeSeconds }),
        ...(session.cost === undefined ? {} : { cost: { currency: session.cost.currency, amountMicros: session.cost.amountMicros } }),
      },
    },
  };
}

import type { JsonObject } from './json-object.js';

/**
 * What `GET /public/sessions/{id}/events` streams (API.md, Session runtime). Events are kept on the session with
 * increasing ids, so a client that reconnects with `Last-Event-ID` gets exactly what it missed.
 */
export type SessionStreamEventType =
  | 'message_received'
  | 'function_implicitly_called'
  | 'function_call_timeout'
  | 'content_filtered'
  | 'avatar_connection_warning'
  | 'session_closed';

export interface SessionStreamEvent {
  readonly id: number;
  readonly type: SessionStreamEventType;
  readonly at: string;
  readonly data: JsonObject;
}

export type NewSessionStreamEvent = Omit<SessionStreamEvent, 'id'>;

/**
 * Events kept per session; older ones are dropped. A client more than this many events behind resumes from the
 * oldest kept one (the transcript, on `GET /public/sessions/{id}`, keeps everything said).
 */
export const MAX_KEPT_STREAM_EVENTS = 200;

export interface StreamState {
  readonly events?: readonly SessionStreamEvent[] | undefined;
  readonly lastEventId?: number | undefined;
}

/** Appends events with the next ids, keeping the newest MAX_KEPT_STREAM_EVENTS. */
export function withStreamEvents<S extends StreamState>(session: S, added: readonly NewSessionStreamEvent[]): S {
  if (added.length === 0) return session;
  let id = session.lastEventId ?? 0;
  const numbered = added.map((event) => ({ ...event, id: (id += 1) }));
  const events = [...(session.events ?? []), ...numbered].slice(-MAX_KEPT_STREAM_EVENTS);
  return { ...session, events, lastEventId: id };
}

/** The events after `lastSeenId` (all kept ones when undefined). */
export function streamEventsAfter(session: StreamState, lastSeenId: number | undefined): SessionStreamEvent[] {
  return (session.events ?? []).filter((event) => lastSeenId === undefined || event.id > lastSeenId);
}

/** One server-sent event, as the stream writes it. */
export function formatServerSentEvent(event: SessionStreamEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

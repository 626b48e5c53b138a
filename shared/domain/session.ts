import type { AssembledSession } from './session-assembly.js';
import type { Page, PageRequest } from './page.js';
import type { StoredLlmConfig } from './llm-config.js';
import type { JsonObject } from './json-object.js';
import type { Tags } from './companion.js';
import type { SessionCost } from './session-lifecycle.js';
import type { SessionStreamEvent } from './session-stream.js';

/**
 * A conversation with an agent (API.md "Connections and sessions"). It keeps what the model was given when it was
 * opened, so that a later change to the agent never changes a conversation under way, and everything said in it.
 */

export type ChannelType = 'webrtc' | 'websocket' | 'text';
export type Modality = 'audio' | 'text';
export type SessionStatus = 'pending' | 'started' | 'closed' | 'failed';



/** Tool rounds the model gets per turn before the turn ends; bounds the cost and latency of one message. */
export const MAX_TOOL_ROUNDS = 4;

export const EXTERNAL_CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export interface TranscriptToolCall {
  readonly callId: string;
  readonly name: string;
  /** The arguments as the model sent them (a JSON text, possibly malformed). */
  readonly arguments: string;
  /** What went back to the model; absent when the turn stopped before running the call. */
  readonly output?: string | undefined;
  readonly durationMs?: number | undefined;
  /**
   * How the call ended: `ok`, `error` (the endpoint failed or answered an error), `timeout` (no answer within the
   * function's timeout: a `function_call_timeout`), `refused` (the endpoint's address is not allowed).
   */
  readonly outcome?: ToolCallOutcome | undefined;
}

export type ToolCallOutcome = 'ok' | 'error' | 'timeout' | 'refused';

export interface TranscriptEntry {
  readonly role: 'user' | 'system' | 'assistant';
  readonly text: string;
  readonly at: string;
  /** Assistant entries: the tool calls the model made in that round. */
  readonly toolCalls?: readonly TranscriptToolCall[] | undefined;
  /** Assistant entries: time spent producing this entry (model and tools), in milliseconds. */
  readonly durationMs?: number | undefined;
  /** Assistant entries: how it was produced. */
  readonly source?: TranscriptSource | undefined;
  /** Assistant entries: the FAQ pair that matched the user's message and was given to the model. */
  readonly faqMatch?: { readonly collectionId: string; readonly itemId: string; readonly score: number } | undefined;
  /**
   * Assistant entries: of `durationMs`, the time spent waiting on the language model (chat completions) and on
   * explicit functions' endpoints (the slowest call of each round); the rest is the service's own work.
   */
  readonly modelMs?: number | undefined;
  readonly toolMs?: number | undefined;
}

/**
 * Where an assistant entry came from: the model, an FAQ answer or knowledge passages (no model configured), nothing
 * that matched, or a tool run for a client that talks to a realtime model itself (`function-calls`).
 */
export type TranscriptSource = 'llm' | 'faq' | 'knowledge' | 'none' | 'functionCall';

/**
 * A message of the turn under way, as the model saw it: the FAQ answer that matched the user's message (a system
 * note), its tool calls and what each returned.
 */
export type TurnMessage =
  | { readonly role: 'system'; readonly content: string }
  | {
      readonly role: 'assistant';
      readonly content: string | null;
      readonly toolCalls: readonly { readonly id: string; readonly name: string; readonly arguments: string }[];
    }
  | { readonly role: 'tool'; readonly toolCallId: string; readonly content: string };

/** An implicit function call the calling application runs: answered through `function-outputs` before its deadline. */
export interface PendingFunctionCall {
  readonly callId: string;
  readonly name: string;
  readonly arguments: string;
  readonly deadline: string;
  /** Set once answered (`ok`) or once its deadline passed (`timeout`). */
  readonly outcome?: 'ok' | 'timeout' | undefined;
  readonly output?: string | undefined;
  readonly settledAt?: string | undefined;
}

/**
 * A turn waiting for the calling application to run implicit functions. It keeps what the model was given in this
 * turn, so the turn resumes where it stopped once every call is answered or timed out.
 */
export interface PendingTurn {
  readonly id: string;
  readonly startedAt: string;
  /** The next model round to run. */
  readonly round: number;
  readonly messages: readonly TurnMessage[];
  readonly toolCalls: readonly TranscriptToolCall[];
  readonly calls: readonly PendingFunctionCall[];
  /** Time spent so far (server, model, tools), carried into the reply's timings. */
  readonly durationMs: number;
  readonly modelMs: number;
  readonly toolMs: number;
  readonly faqMatch?: TranscriptEntry['faqMatch'];
  /** Set by the one caller that settled the last call and so resumes the turn; another may take over once stale. */
  readonly resumingSince?: string | undefined;
}

/** The calls of a pending turn not yet settled. */
export function unsettledCallsOf(turn: PendingTurn): PendingFunctionCall[] {
  return turn.calls.filter((call) => call.outcome === undefined);
}

export interface Session {
  readonly id: string;
  readonly projectId: string;
  readonly orgId: string;
  /** Absent for a session opened with an inline configuration (POST /public/connections). */
  readonly agentId?: string | undefined;
  readonly companionId: string;
  readonly channelType: ChannelType;
  readonly modality: Modality;
  readonly externalClientId?: string | undefined;
  readonly externalClientProfile?: JsonObject | undefined;
  readonly initialSpeech?: string | undefined;
  readonly tags: Tags;
  /** The API key that opened it, and its LLM hosting at that time (billing dimension and model choice). */
  readonly keyId: string;
  readonly hosting: StoredLlmConfig['hosting'];
  readonly faqCollections: readonly string[];
  readonly knowledgeBaseId?: string | undefined;
  readonly assembled: AssembledSession;
  readonly status: SessionStatus;
  readonly closeReason?: string | undefined;
  readonly createdAt: string;
  /** A session not started by then closes with connection_timeout (its first token expired unused). */
  readonly startBy: string;
  readonly startedAt?: string | undefined;
  /** The last sign that the user is there: a message, an activity call or an `activity` event. */
  readonly lastActivityAt?: string | undefined;
  /** `avatar_connection_warning` values already sent since the last activity. */
  readonly idleWarningsSent?: readonly number[] | undefined;
  /** When the sweeper must look at the session next (a warning or a close is due); absent once closed. */
  readonly nextCheckAt?: string | undefined;
  readonly closedAt?: string | undefined;
  /** Set at the close: from the start to the close, and its price. */
  readonly activeSeconds?: number | undefined;
  readonly cost?: SessionCost | undefined;
  readonly transcript: readonly TranscriptEntry[];
  /** What the event stream sends, newest MAX_KEPT_STREAM_EVENTS, with increasing ids. */
  readonly events?: readonly SessionStreamEvent[] | undefined;
  readonly lastEventId?: number | undefined;
  /** Set while implicit function calls of the current turn await their outputs. */
  readonly pendingTurn?: PendingTurn | undefined;
  readonly etag: string;
}

export type NewSession = Omit<Session, 'etag'>;

export interface SessionListFilter {
  /** The scope: only sessions opened with this key (a dashboard member's own); counts in `totalCount` too. */
  readonly keyId?: string | undefined;
  readonly companionId?: string | undefined;
  readonly externalClientId?: string | undefined;
  /** Every tag given must be on the session with that value. */
  readonly tags?: Readonly<Record<string, string>> | undefined;
  /** Case-insensitive text to find in the transcript. */
  readonly search?: string | undefined;
  readonly status?: SessionStatus | undefined;
}

/** A session as lists show it: everything but the transcript and the stream. */
export type SessionSummary = Omit<Session, 'transcript' | 'events' | 'assembled' | 'pendingTurn' | 'externalClientProfile'>;

export interface SessionRepository {
  get(projectId: string, sessionId: string): Promise<Session | undefined>;
  /** Newest first, with `filteredCount` and `totalCount` like other lists. */
  list(projectId: string, filter: SessionListFilter, page: PageRequest): Promise<Page<SessionSummary>>;
  /** Open sessions of every project whose `nextCheckAt` has come, oldest first, at most `limit`. */
  listDue(now: Date, limit: number): Promise<Session[]>;
  /** Open (pending or started) sessions of every project of an organization: what a suspended subscription closes. */
  listOpenOfOrganization(orgId: string): Promise<Session[]>;
  /** Deletes when the stored ETag is still the one given; deleting what is already gone succeeds. */
  delete(projectId: string, sessionId: string, expectedEtag?: string): Promise<void>;
  /** Create-only. */
  create(session: NewSession): Promise<Session>;
  /** Replaces when the stored ETag is still `session.etag`, else rejects with PreconditionFailedError. */
  replace(session: Session): Promise<Session>;
}

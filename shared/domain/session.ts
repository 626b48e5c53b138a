import type { AssembledSession } from './session-assembly.js';
import type { StoredLlmConfig } from './llm-config.js';
import type { JsonObject } from './json-object.js';
import type { Tags } from './companion.js';

/**
 * A conversation with an agent (API.md "Connections and sessions"). It keeps what the model was given when it was
 * opened, so that a later change to the agent never changes a conversation under way, and everything said in it.
 */

export type ChannelType = 'webrtc' | 'websocket' | 'text';
export type Modality = 'audio' | 'text';
export type SessionStatus = 'pending' | 'started' | 'closed' | 'failed';

/** Only the text channel runs today; the others come with the realtime issue. */
export const SUPPORTED_CHANNEL_TYPES: ReadonlySet<ChannelType> = new Set(['text']);

/** A session not started within this time cannot be started: its first token has expired (see SESSION_TOKEN_TTL_SECONDS). */
export const SESSION_TOKEN_TTL_SECONDS = 15 * 60;

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
}

export interface TranscriptEntry {
  readonly role: 'user' | 'system' | 'assistant';
  readonly text: string;
  readonly at: string;
  /** Assistant entries: the tool calls the model made in that round. */
  readonly toolCalls?: readonly TranscriptToolCall[] | undefined;
  /** Assistant entries: time spent producing this entry (model and tools), in milliseconds. */
  readonly durationMs?: number | undefined;
  /** Assistant entries: how it was produced. */
  readonly source?: 'llm' | 'faq' | 'knowledge' | 'none' | undefined;
}

export interface Session {
  readonly id: string;
  readonly projectId: string;
  readonly orgId: string;
  readonly agentId: string;
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
  readonly startedAt?: string | undefined;
  readonly closedAt?: string | undefined;
  readonly transcript: readonly TranscriptEntry[];
  readonly etag: string;
}

export type NewSession = Omit<Session, 'etag'>;

export interface SessionRepository {
  get(projectId: string, sessionId: string): Promise<Session | undefined>;
  /** Create-only. */
  create(session: NewSession): Promise<Session>;
  /** Replaces when the stored ETag is still `session.etag`, else rejects with PreconditionFailedError. */
  replace(session: Session): Promise<Session>;
}

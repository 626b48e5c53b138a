import type { Agent } from '../domain/agent.js';
import { isUsableCompanionStatus, companionNotReady } from '../domain/agent.js';
import type { AgentFunctionRepository } from '../domain/agent-function-repository.js';
import type { AgentRepository } from '../domain/agent-repository.js';
import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { Clock } from '../domain/clock.js';
import type { Tags } from '../domain/companion.js';
import type { CompanionRepository } from '../domain/companion-repository.js';
import { BadRequestError, NotFoundError } from '../domain/errors.js';
import type { FaqRepository } from '../domain/faq-repository.js';
import { newId } from '../domain/ids.js';
import type { JsonObject } from '../domain/json-object.js';
import type { KnowledgeBaseRepository } from '../domain/knowledge/knowledge-base-repository.js';
import {
  SUPPORTED_CHANNEL_TYPES,
  type ChannelType,
  type Modality,
  type Session,
  type SessionRepository,
  type TranscriptEntry,
} from '../domain/session.js';
import { assembleSession, type AssemblyFunction, type AssemblyNamedResource } from '../domain/session-assembly.js';
import { findStockCompanion } from '../domain/stock-companions.js';
import { withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';
import { invalidSessionToken, type SessionTokenClaims, type SessionTokens } from './session-tokens.js';
import type { TurnEngine, TurnEvent } from './session-turns.js';
import type { TranscriptToolCall } from '../domain/session.js';

export interface SessionServiceDeps {
  readonly sessions: SessionRepository;
  readonly agents: AgentRepository;
  readonly companions: CompanionRepository;
  readonly agentFunctions: AgentFunctionRepository;
  readonly faqs: FaqRepository;
  readonly knowledgeBases: KnowledgeBaseRepository;
  readonly sessionTokens: SessionTokens;
  readonly turns: TurnEngine;
  readonly clock: Clock;
}

export interface NewConnectionInput {
  readonly channelType: ChannelType;
  readonly modality?: Modality | undefined;
  readonly externalClientId?: string | undefined;
  readonly externalClientProfile?: JsonObject | undefined;
  readonly initialSpeech?: string | undefined;
  readonly tags?: Tags | undefined;
}

export interface MessageInput {
  readonly text: string;
  readonly role?: 'user' | 'system' | undefined;
  readonly triggerResponse?: boolean | undefined;
}

export interface MessageResult {
  readonly reply: { role: 'assistant'; text: string } | null;
  readonly events: TurnEvent[];
  readonly toolCalls: TranscriptToolCall[];
}

/**
 * Text sessions with an agent: opening one (assembled once, from the agent as it is now), reading it, and its turns.
 * The session token, not the API key, authorizes the turns, so a key never has to reach an end user's device.
 */
export class SessionService {
  constructor(private readonly deps: SessionServiceDeps) {}

  async connect(principal: ApiKeyPrincipal, agentId: string, input: NewConnectionInput): Promise<{ token: string; session: Session; expiresAt: Date }> {
    if (!SUPPORTED_CHANNEL_TYPES.has(input.channelType)) {
      throw new BadRequestError(
        'ChannelNotSupportedYet',
        `channelType "${input.channelType}" is not supported yet; only "text" sessions can be opened for now.`,
      );
    }
    const agent = await this.deps.agents.get(principal.projectId, agentId);
    if (agent === undefined) throw new NotFoundError('Agent');
    const assembled = assembleSession(await this.assemblyInputOf(agent, input.externalClientProfile));
    const now = this.deps.clock.now();
    const session = await this.deps.sessions.create({
      id: newId('sess'),
      projectId: principal.projectId,
      orgId: principal.orgId,
      agentId: agent.id,
      companionId: agent.companionId,
      channelType: input.channelType,
      modality: input.modality ?? 'text',
      externalClientId: input.externalClientId,
      externalClientProfile: input.externalClientProfile,
      initialSpeech: input.initialSpeech,
      tags: input.tags ?? {},
      keyId: principal.keyId,
      hosting: principal.hosting,
      faqCollections: agent.faqCollections,
      knowledgeBaseId: agent.knowledgeBaseId,
      assembled,
      status: 'pending',
      createdAt: now.toISOString(),
      transcript: [],
    });
    const { token, expiresAt } = await this.deps.sessionTokens.issue(
      { sessionId: session.id, projectId: session.projectId, orgId: session.orgId },
      now,
    );
    return { token, session, expiresAt };
  }

  async get(principal: ApiKeyPrincipal, sessionId: string): Promise<Session> {
    return this.sessionOf(principal.projectId, sessionId);
  }

  /** Appends the caller's message, lets the agent answer unless told not to, and records both with their timings. */
  async message(claims: SessionTokenClaims, sessionId: string, input: MessageInput): Promise<MessageResult> {
    // A token opens only its own session: another id in the path is refused like a bad token, telling nothing of it.
    if (claims.sessionId !== sessionId) throw invalidSessionToken();
    const current = await this.sessionOf(claims.projectId, sessionId);
    if (current.status === 'closed' || current.status === 'failed') {
      throw new BadRequestError('SessionClosed', `The session is ${current.status}; open a new connection.`);
    }
    const role = input.role ?? 'user';
    const incoming: TranscriptEntry = { role, text: input.text, at: this.deps.clock.now().toISOString() };
    const seen: Session = { ...current, transcript: [...current.transcript, incoming] };
    const result =
      input.triggerResponse === false ? { entry: undefined, events: [], toolCalls: [], failure: undefined } : await this.deps.turns.respond(seen, { role, text: input.text });
    const appended = result.entry === undefined ? [incoming] : [incoming, result.entry];
    await this.append(claims.projectId, sessionId, appended);
    if (result.failure !== undefined) throw result.failure;
    return {
      reply: result.entry === undefined ? null : { role: 'assistant', text: result.entry.text },
      events: result.events,
      toolCalls: result.toolCalls,
    };
  }

  /** Another message may have been written while the model answered: the entries go after whatever is there now. */
  private async append(projectId: string, sessionId: string, entries: readonly TranscriptEntry[]): Promise<void> {
    await withOptimisticRetry(async () => {
      const latest = await this.sessionOf(projectId, sessionId);
      const first = latest.status === 'pending';
      await writeOrRetry(() =>
        this.deps.sessions.replace({
          ...latest,
          status: first ? 'started' : latest.status,
          startedAt: first ? entries[0]?.at : latest.startedAt,
          transcript: [...latest.transcript, ...entries],
        }),
      );
    });
  }

  private async sessionOf(projectId: string, sessionId: string): Promise<Session> {
    const session = await this.deps.sessions.get(projectId, sessionId);
    if (session === undefined) throw new NotFoundError('Session');
    return session;
  }

  /** What the agent refers to, as the assembly takes it; ids deleted since the agent was saved are left out. */
  private async assemblyInputOf(agent: Agent, externalClientProfile: JsonObject | undefined) {
    const companion = findStockCompanion(agent.companionId) ?? (await this.deps.companions.get(agent.projectId, agent.companionId));
    if (companion === undefined) throw new NotFoundError('Companion');
    if (!isUsableCompanionStatus(companion.status)) throw companionNotReady(companion.status);
    const [functions, faqCollections, knowledgeBase] = await Promise.all([
      Promise.all(agent.functions.map((id) => this.deps.agentFunctions.get(agent.projectId, id))),
      Promise.all(agent.faqCollections.map((id) => this.deps.faqs.get(agent.projectId, id))),
      agent.knowledgeBaseId === undefined ? undefined : this.deps.knowledgeBases.get(agent.projectId, agent.knowledgeBaseId),
    ]);
    return {
      companion,
      settings: agent,
      functions: functions.filter((f): f is NonNullable<typeof f> => f !== undefined) as AssemblyFunction[],
      faqCollections: faqCollections
        .filter((c): c is NonNullable<typeof c> => c !== undefined)
        .map((c): AssemblyNamedResource => ({ id: c.id, name: c.name })),
      knowledgeBase: knowledgeBase === undefined ? undefined : { id: knowledgeBase.id, name: knowledgeBase.name },
      // Memory of an externalClientId comes with the memory issue; a session starts without it until then.
      memory: undefined,
      externalClientProfile,
    };
  }
}

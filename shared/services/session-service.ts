import { isUsableCompanionStatus, companionNotReady, type AgentDefinition } from '../domain/agent.js';
import { agentDefinitionOf, type NewAgentInput } from './agent-service.js';
import { ALL_REFERENCES, checkAgentReferences } from './agent-references.js';
import type { AgentFunctionRepository } from '../domain/agent-function-repository.js';
import type { AgentRepository } from '../domain/agent-repository.js';
import { maySeeSession, type ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { Clock } from '../domain/clock.js';
import type { Tags } from '../domain/companion.js';
import type { CompanionRepository } from '../domain/companion-repository.js';
import { BadRequestError, ConflictError, NotFoundError } from '../domain/errors.js';
import type { FaqRepository } from '../domain/faq-repository.js';
import { newId } from '../domain/ids.js';
import type { JsonObject } from '../domain/json-object.js';
import type { KnowledgeBaseRepository } from '../domain/knowledge/knowledge-base-repository.js';
import {
  type ChannelType,
  type Modality,
  unsettledCallsOf,
  type PendingTurn,
  type NewSession,
  type Session,
  type SessionRepository,
  type TranscriptEntry,
  type TranscriptToolCall,
} from '../domain/session.js';
import { assembleSession, type AssemblyFunction, type AssemblyNamedResource } from '../domain/session-assembly.js';
import { findStockCompanion } from '../domain/stock-companions.js';
import { withOptimisticRetry, writeOrRetry } from './optimistic-concurrency.js';
import { invalidSessionToken, type SessionTokenClaims, type SessionTokens } from './session-tokens.js';
import type { SessionWriter } from './session-writer.js';
import type { SessionAdmission } from './session-admission-service.js';
import type { ClientMemoryService } from './client-memory-service.js';
import type { RealtimeCredentials, RealtimeMinter } from '../domain/realtime.js';
import { closedSession, dueWork, isOpen, withActivity, type CloseReason } from '../domain/session-lifecycle.js';
import { withStreamEvents, type NewSessionStreamEvent } from '../domain/session-stream.js';
import type { FunctionInvoker } from './function-invoker.js';
import { implicitTimeoutOutput, type TurnEngine, type TurnEvent, type TurnResult } from './session-turns.js';

export interface SessionServiceDeps {
  readonly sessions: SessionRepository;
  readonly agents: AgentRepository;
  readonly companions: CompanionRepository;
  readonly agentFunctions: AgentFunctionRepository;
  readonly faqs: FaqRepository;
  readonly knowledgeBases: KnowledgeBaseRepository;
  readonly sessionTokens: SessionTokens;
  readonly turns: TurnEngine;
  readonly functions: Pick<FunctionInvoker, 'invoke'>;
  readonly functionCallTimeouts: FunctionCallTimeouts;
  readonly writer: SessionWriter;
  readonly admission: Pick<SessionAdmission, 'checkRate' | 'reserve' | 'release'>;
  readonly realtime: RealtimeMinter;
  /** What the service remembers of an externalClientId, for the assembly. */
  readonly memory: Pick<ClientMemoryService, 'memoryFor'>;
  readonly clock: Clock;
}

/** Where a wait for implicit function outputs is checked again once its last deadline has passed. */
export interface FunctionCallTimeouts {
  schedule(wait: PendingWaitRef, at: Date): Promise<void>;
}

/** One wait for implicit function outputs: the queue message of the timeout check. */
export interface PendingWaitRef {
  readonly projectId: string;
  readonly sessionId: string;
  readonly pendingTurnId: string;
}

export interface FunctionOutputInput {
  readonly callId: string;
  readonly output: string;
}

export interface FunctionCallInput {
  readonly callId: string;
  readonly name: string;
  readonly arguments?: string | undefined;
}

export interface FunctionCallResult {
  readonly callId: string;
  readonly name: string;
  readonly output: string;
  readonly outcome: NonNullable<TranscriptToolCall['outcome']>;
  readonly durationMs: number;
}

/** Knowledge base names kept per instance (the oldest is dropped beyond this). */
const KNOWN_BASES = 1000;

/** A wait whose resumer has not finished after this long is taken over by the timeout check: it may have crashed. */
const STALE_RESUME_MS = 60_000;

export interface NewConnectionInput {
  readonly channelType: ChannelType;
  readonly modality?: Modality | undefined;
  readonly externalClientId?: string | undefined;
  readonly externalClientProfile?: JsonObject | undefined;
  readonly initialSpeech?: string | undefined;
  readonly tags?: Tags | undefined;
}

/** The agent-like part of `POST /public/connections`: what an agent would hold, given for one session. */
export type InlineConfiguration = Omit<NewAgentInput, 'name'>;

export interface InlineConnectionInput extends NewConnectionInput {
  readonly configuration: InlineConfiguration;
}

export interface OpenedSession {
  readonly token: string;
  readonly session: Session;
  readonly expiresAt: Date;
  /** Audio sessions with a realtime deployment: how the client reaches the model. */
  readonly realtime?: RealtimeCredentials | undefined;
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
  /** The implicit calls still awaiting `function-outputs`; empty once the turn has its reply. */
  readonly pendingCallIds: string[];
  /** With a reply: the turn's time, and of it the time waiting on the model and on explicit functions' endpoints. */
  readonly timings?: { readonly durationMs: number; readonly modelMs: number; readonly toolMs: number } | undefined;
}

/**
 * Text sessions with an agent: opening one (assembled once, from the agent as it is now), reading it, and its turns.
 * The session token, not the API key, authorizes the turns, so a key never has to reach an end user's device.
 */
export class SessionService {
  private readonly knowledgeBaseNames = new Map<string, AssemblyNamedResource>();

  constructor(private readonly deps: SessionServiceDeps) {}

  async connect(principal: ApiKeyPrincipal, agentId: string, input: NewConnectionInput): Promise<OpenedSession> {
    await this.deps.admission.checkRate(principal);
    const agent = await this.deps.agents.get(principal.projectId, agentId);
    if (agent === undefined) throw new NotFoundError('Agent');
    return this.open(principal, agent.id, agent, input);
  }

  /**
   * `POST /public/connections`: a session from a configuration given inline instead of a saved agent. Every reference
   * is checked as an agent's would be (ValidationFailed naming each unknown id, 409 CompanionNotReady).
   */
  async connectInline(principal: ApiKeyPrincipal, input: InlineConnectionInput): Promise<OpenedSession> {
    await this.deps.admission.checkRate(principal);
    const definition = agentDefinitionOf({ ...input.configuration, name: 'inline' });
    await checkAgentReferences(this.deps, principal.projectId, definition, ALL_REFERENCES);
    return this.open(principal, undefined, definition, input);
  }

  private async open(
    principal: ApiKeyPrincipal,
    agentId: string | undefined,
    definition: AgentDefinition,
    input: NewConnectionInput,
  ): Promise<OpenedSession> {
    const assembled = assembleSession(await this.assemblyInputOf(principal.projectId, definition, input.externalClientId, input.externalClientProfile));
    const now = this.deps.clock.now();
    const id = newId('sess');
    await this.deps.admission.reserve(principal, input.channelType, id);
    // The token is issued first: its expiry is the session's start deadline.
    const { token, expiresAt } = await this.deps.sessionTokens.issue({ sessionId: id, projectId: principal.projectId, orgId: principal.orgId }, now);
    const session = await this.createHoldingSlot({
      id,
      projectId: principal.projectId,
      orgId: principal.orgId,
      agentId,
      companionId: definition.companionId,
      channelType: input.channelType,
      modality: input.modality ?? (input.channelType === 'text' ? 'text' : 'audio'),
      externalClientId: input.externalClientId,
      externalClientProfile: input.externalClientProfile,
      initialSpeech: input.initialSpeech,
      tags: input.tags ?? {},
      keyId: principal.keyId,
      hosting: principal.hosting,
      faqCollections: definition.faqCollections,
      knowledgeBaseId: definition.knowledgeBaseId,
      assembled,
      status: 'pending',
      createdAt: now.toISOString(),
      startBy: expiresAt.toISOString(),
      nextCheckAt: expiresAt.toISOString(),
      transcript: [],
    });
    const realtime = await this.realtimeFor(session);
    return { token, session, expiresAt, realtime };
  }

  /**
   * Audio sessions whose key has a realtime deployment get realtime credentials, so the client talks to the model
   * directly. If they cannot be minted the session closes (initialization_failed) and the connection fails.
   */
  private async realtimeFor(session: Session): Promise<RealtimeCredentials | undefined> {
    if (session.channelType === 'text' || session.modality !== 'audio') return undefined;
    try {
      return await this.deps.realtime.mint(session);
    } catch (err) {
      await this.deps.writer.commit(session.projectId, session.id, (latest) => closeWithEvent(latest, this.deps.clock.now(), 'initialization_failed'), session);
      throw err;
    }
  }

  /** The slot was reserved for this session: a failed creation gives it back. */
  private async createHoldingSlot(session: NewSession): Promise<Session> {
    try {
      return await this.deps.sessions.create(session);
    } catch (err) {
      await this.deps.admission.release(session).catch(() => undefined);
      throw err;
    }
  }

  async get(principal: ApiKeyPrincipal, sessionId: string): Promise<Session> {
    const session = await this.sessionOf(principal.projectId, sessionId);
    if (!maySeeSession(principal, session)) throw new NotFoundError('Session');
    return session;
  }

  /** Appends the caller's message, lets the agent answer unless told not to, and records both with their timings. */
  async message(claims: SessionTokenClaims, sessionId: string, input: MessageInput): Promise<MessageResult> {
    let current = await this.openSessionOf(claims, sessionId);
    if (current.pendingTurn !== undefined) {
      // A turn waits for implicit outputs: it must end (answered or timed out) before the next one starts.
      const waiting = current.pendingTurn;
      const now = this.deps.clock.now().getTime();
      const open = unsettledCallsOf(waiting).filter((call) => Date.parse(call.deadline) > now);
      if (open.length > 0) throw functionCallPending(open.map((call) => call.callId));
      await this.settleWait({ projectId: claims.projectId, sessionId, pendingTurnId: waiting.id });
      current = await this.openSessionOf(claims, sessionId);
    }
    const role = input.role ?? 'user';
    const incoming: TranscriptEntry = { role, text: input.text, at: this.deps.clock.now().toISOString() };
    const seen: Session = { ...current, transcript: [...current.transcript, incoming] };
    const result: TurnResult =
      input.triggerResponse === false ? { entry: undefined, events: [], toolCalls: [] } : await this.deps.turns.respond(seen, { role, text: input.text });
    const appended = result.entry === undefined ? [incoming] : [incoming, result.entry];
    let pendingConflict: PendingTurn | undefined;
    await this.commit(claims.projectId, sessionId, (latest) => {
      if (!isOpen(latest)) return undefined;
      // Another message's turn started waiting meanwhile: this turn's calls cannot wait beside it.
      pendingConflict = result.pending !== undefined ? latest.pendingTurn : undefined;
      const active = withActivity(latest, new Date(incoming.at));
      return withStreamEvents(
        {
          ...active,
          transcript: [...latest.transcript, ...appended],
          pendingTurn: pendingConflict ?? result.pending ?? latest.pendingTurn,
        },
        streamEventsOf(appended, pendingConflict === undefined ? result.events : [], this.deps.clock.now()),
      );
    }, current);
    if (pendingConflict !== undefined) throw functionCallPending(unsettledCallsOf(pendingConflict).map((c) => c.callId));
    if (result.pending !== undefined) await this.scheduleTimeoutCheck(claims.projectId, sessionId, result.pending);
    if (result.failure !== undefined) throw result.failure;
    return resultOf(result);
  }

  /**
   * The calling application's answer to an implicit call. The turn resumes, and this call returns its reply, once every
   * call of the wait is settled; until then it returns the ids still awaited.
   */
  async functionOutput(claims: SessionTokenClaims, sessionId: string, input: FunctionOutputInput): Promise<MessageResult> {
    await this.openSessionOf(claims, sessionId);
    const settledAt = this.deps.clock.now();
    const outcome = await withOptimisticRetry(async () => {
      const latest = await this.sessionOf(claims.projectId, sessionId);
      const wait = latest.pendingTurn;
      const call = wait?.calls.find((c) => c.callId === input.callId);
      if (wait === undefined || call === undefined) {
        if (transcriptHasCall(latest, input.callId)) throw alreadySettled(input.callId);
        throw new NotFoundError('Function call');
      }
      if (call.outcome === 'timeout' || Date.parse(call.deadline) <= settledAt.getTime()) {
        throw new ConflictError(
          `The call ${input.callId} timed out before its output arrived; the model was told so (function_call_timeout).`,
          'FunctionCallTimedOut',
        );
      }
      if (call.outcome === 'ok') {
        // The same answer again (a retried request) is fine; a different one cannot replace what the model may have read.
        if (call.output === input.output) return { wait, resume: false, repeated: true };
        throw alreadySettled(input.callId);
      }
      const calls = wait.calls.map((c) => (c.callId === input.callId ? { ...c, outcome: 'ok' as const, output: input.output, settledAt: settledAt.toISOString() } : c));
      const settled = { ...wait, calls };
      const resume = unsettledCallsOf(settled).length === 0;
      const next = resume ? { ...settled, resumingSince: settledAt.toISOString() } : settled;
      // The application answering is a sign the user is there.
      await writeOrRetry(() => this.deps.sessions.replace({ ...withActivity(latest, settledAt), pendingTurn: next }));
      return { wait: next, resume, repeated: false };
    });
    if (!outcome.resume) {
      if (outcome.repeated && unsettledCallsOf(outcome.wait).length === 0) return this.replyOfSettledWait(claims.projectId, sessionId, outcome.wait);
      return { reply: null, events: [], toolCalls: [], pendingCallIds: unsettledCallsOf(outcome.wait).map((c) => c.callId) };
    }
    return this.resumeWait(claims.projectId, sessionId, outcome.wait);
  }

  /**
   * For a client that talks to a realtime model itself: runs an explicit function or the built-in knowledge search by
   * name and records the call. Repeating a callId returns the recorded result without calling again.
   */
  async functionCall(claims: SessionTokenClaims, sessionId: string, input: FunctionCallInput): Promise<FunctionCallResult> {
    const session = await this.openSessionOf(claims, sessionId);
    const recorded = recordedCall(session, input.callId);
    if (recorded !== undefined) {
      if (recorded.name !== input.name) throw new ConflictError(`The callId ${input.callId} was already used for another call.`, 'FunctionCallIdReused');
      return { callId: recorded.callId, name: recorded.name, output: recorded.output ?? '', outcome: recorded.outcome ?? 'ok', durationMs: recorded.durationMs ?? 0 };
    }
    const binding = session.assembled.toolBindings.find((b) => b.name === input.name);
    if (binding === undefined) throw new NotFoundError('Function');
    const args = input.arguments ?? '{}';
    const started = Date.now();
    let output: string;
    let outcome: FunctionCallResult['outcome'];
    if (binding.kind === 'knowledgeSearch') {
      output = await this.deps.turns.runKnowledgeSearch(session.projectId, binding.knowledgeBaseId, args);
      outcome = 'ok';
    } else if (binding.flow === 'implicit') {
      throw new BadRequestError('FunctionNotExplicit', `"${input.name}" is an implicit function: the calling application runs it itself.`);
    } else {
      const result = await this.deps.functions.invoke(
        session.projectId,
        binding.functionId,
        { callId: input.callId, name: input.name, arguments: args },
        { sessionId: session.id, externalClientId: session.externalClientId, tags: session.tags },
      );
      output = result.output;
      outcome = result.outcome;
    }
    const durationMs = Date.now() - started;
    const call: TranscriptToolCall = { callId: input.callId, name: input.name, arguments: args, output, outcome, durationMs };
    const entry: TranscriptEntry = {
      role: 'assistant',
      text: '',
      at: this.deps.clock.now().toISOString(),
      source: 'functionCall',
      toolCalls: [call],
      durationMs,
      toolMs: durationMs,
    };
    let winner: TranscriptToolCall | undefined;
    await this.commit(claims.projectId, sessionId, (latest) => {
      // The same callId run twice at once: the first record stands and both callers get it.
      winner = recordedCall(latest, input.callId);
      if (winner !== undefined || !isOpen(latest)) return undefined;
      return { ...withActivity(latest, new Date(entry.at)), transcript: [...latest.transcript, entry] };
    }, session);
    const kept = winner ?? call;
    return { callId: kept.callId, name: kept.name, output: kept.output ?? '', outcome: kept.outcome ?? 'ok', durationMs: kept.durationMs ?? 0 };
  }

  /**
   * The timeout check of a wait (a queue message due at its last deadline, or a new message arriving after it): calls
   * still unanswered are settled as timed out and the turn resumes, the model being told. Repeats are harmless.
   */
  async settleWait(ref: PendingWaitRef): Promise<void> {
    const now = this.deps.clock.now();
    const step = await withOptimisticRetry(async () => {
      const latest = await this.deps.sessions.get(ref.projectId, ref.sessionId);
      const wait = latest?.pendingTurn;
      if (latest === undefined || wait === undefined || wait.id !== ref.pendingTurnId) return { kind: 'done' as const };
      if (wait.resumingSince !== undefined && now.getTime() - Date.parse(wait.resumingSince) < STALE_RESUME_MS) {
        return { kind: 'later' as const, at: new Date(Date.parse(wait.resumingSince) + STALE_RESUME_MS) };
      }
      const unsettled = unsettledCallsOf(wait);
      const notYet = unsettled.filter((call) => Date.parse(call.deadline) > now.getTime());
      if (notYet.length > 0) return { kind: 'later' as const, at: new Date(Math.max(...notYet.map((c) => Date.parse(c.deadline)))) };
      const calls = wait.calls.map((call) =>
        call.outcome !== undefined
          ? call
          : { ...call, outcome: 'timeout' as const, output: implicitTimeoutOutput(Date.parse(call.deadline) - Date.parse(wait.startedAt)), settledAt: now.toISOString() },
      );
      const next: PendingTurn = { ...wait, calls, resumingSince: now.toISOString() };
      await writeOrRetry(() => this.deps.sessions.replace({ ...latest, pendingTurn: next }));
      return { kind: 'resume' as const, wait: next, timedOut: unsettled };
    });
    if (step.kind === 'done') return;
    if (step.kind === 'later') {
      await this.deps.functionCallTimeouts.schedule(ref, step.at);
      return;
    }
    await this.resumeWait(ref.projectId, ref.sessionId, step.wait, step.timedOut.map((call) => ({ type: 'function_call_timeout', callId: call.callId, name: call.name })));
  }

  /** Runs the rest of a turn whose wait is settled, and records its reply (or its next wait) in place of the wait. */
  private async resumeWait(projectId: string, sessionId: string, wait: PendingTurn, earlier: TurnEvent[] = []): Promise<MessageResult> {
    const session = await this.sessionOf(projectId, sessionId);
    const result = await this.deps.turns.resume(session, wait);
    const entry: TranscriptEntry | undefined =
      result.entry ??
      (result.failure !== undefined
        ? { role: 'assistant', text: '', at: this.deps.clock.now().toISOString(), source: 'llm', toolCalls: result.toolCalls }
        : undefined);
    let ours = true;
    await this.commit(projectId, sessionId, (latest) => {
      ours = latest.pendingTurn?.id === wait.id;
      if (!ours) return undefined;
      const appended = entry === undefined ? [] : [entry];
      return withStreamEvents(
        { ...latest, transcript: [...latest.transcript, ...appended], pendingTurn: result.pending },
        streamEventsOf(appended, [...earlier, ...result.events], this.deps.clock.now()),
      );
    });
    if (!ours) return this.replyOfSettledWait(projectId, sessionId, wait);
    if (result.pending !== undefined) await this.scheduleTimeoutCheck(projectId, sessionId, result.pending);
    if (result.failure !== undefined) throw result.failure;
    return resultOf({ ...result, events: [...earlier, ...result.events] });
  }

  /** A repeated answer after the turn went on: what the turn said, from the transcript. */
  private async replyOfSettledWait(projectId: string, sessionId: string, wait: PendingTurn): Promise<MessageResult> {
    const latest = await this.sessionOf(projectId, sessionId);
    if (latest.pendingTurn !== undefined && latest.pendingTurn.id !== wait.id) {
      const pendingCallIds = unsettledCallsOf(latest.pendingTurn).map((c) => c.callId);
      return { reply: null, events: [], toolCalls: [], pendingCallIds };
    }
    const firstCall = wait.calls[0]?.callId;
    const reply = [...latest.transcript].reverse().find((e) => e.role === 'assistant' && e.toolCalls?.some((c) => c.callId === firstCall));
    return {
      reply: reply === undefined || reply.text === '' ? null : { role: 'assistant', text: reply.text },
      events: [],
      toolCalls: [...(reply?.toolCalls ?? [])],
      pendingCallIds: latest.pendingTurn === undefined ? [] : unsettledCallsOf(latest.pendingTurn).map((c) => c.callId),
    };
  }

  private async scheduleTimeoutCheck(projectId: string, sessionId: string, wait: PendingTurn): Promise<void> {
    const last = Math.max(...wait.calls.map((call) => Date.parse(call.deadline)));
    await this.deps.functionCallTimeouts.schedule({ projectId, sessionId, pendingTurnId: wait.id }, new Date(last));
  }

  private async commit(
    projectId: string,
    sessionId: string,
    change: (latest: Session) => Session | undefined,
    known?: Session,
  ): Promise<void> {
    await this.deps.writer.commit(projectId, sessionId, change, known);
  }

  /** The session a token opens, refused once it has ended. A token opens only its own session. */
  private async openSessionOf(claims: SessionTokenClaims, sessionId: string): Promise<Session> {
    // Another id in the path is refused like a bad token, telling nothing of it.
    if (claims.sessionId !== sessionId) throw invalidSessionToken();
    const current = await this.sessionOf(claims.projectId, sessionId);
    if (current.status === 'closed' || current.status === 'failed') throw sessionClosed(current);
    // A close that is due but not yet swept happens now: a session past its idle timeout is not revived by a call.
    const due = dueWork(current, this.deps.clock.now()).close;
    if (due !== undefined) {
      await this.commit(claims.projectId, sessionId, (latest) => closeWithEvent(latest, due.at, due.reason), current);
      throw sessionClosed({ status: 'closed', closeReason: due.reason });
    }
    return current;
  }

  /**
   * A knowledge base's id and name, as the assembly names it. A base cannot be renamed, and cannot be deleted while
   * an agent uses it, so the name is kept per instance: one read less for every connection.
   */
  private async knowledgeBaseOf(projectId: string, baseId: string): Promise<AssemblyNamedResource | undefined> {
    const key = `${projectId}/${baseId}`;
    const known = this.knowledgeBaseNames.get(key);
    if (known !== undefined) return known;
    const base = await this.deps.knowledgeBases.get(projectId, baseId);
    if (base === undefined || base.deletingSince !== undefined) return undefined;
    if (this.knowledgeBaseNames.size >= KNOWN_BASES) this.knowledgeBaseNames.delete(this.knowledgeBaseNames.keys().next().value!);
    const named = { id: base.id, name: base.name };
    this.knowledgeBaseNames.set(key, named);
    return named;
  }

  private async sessionOf(projectId: string, sessionId: string): Promise<Session> {
    const session = await this.deps.sessions.get(projectId, sessionId);
    if (session === undefined) throw new NotFoundError('Session');
    return session;
  }

  /** What the agent refers to, as the assembly takes it; ids deleted since the agent was saved are left out. */
  private async assemblyInputOf(
    projectId: string,
    agent: AgentDefinition,
    externalClientId: string | undefined,
    externalClientProfile: JsonObject | undefined,
  ) {
    const companion = findStockCompanion(agent.companionId) ?? (await this.deps.companions.get(projectId, agent.companionId));
    if (companion === undefined) throw new NotFoundError('Companion');
    if (!isUsableCompanionStatus(companion.status)) throw companionNotReady(companion.status);
    const [functions, faqCollections, knowledgeBase, memory] = await Promise.all([
      // One request for all functions, kept in the agent's order.
      this.deps.agentFunctions.getMany(projectId, agent.functions).then((found) => agent.functions.map((id) => found.find((f) => f.id === id))),
      Promise.all(agent.faqCollections.map((id) => this.deps.faqs.get(projectId, id))),
      agent.knowledgeBaseId === undefined ? undefined : this.knowledgeBaseOf(projectId, agent.knowledgeBaseId),
      externalClientId === undefined ? undefined : this.deps.memory.memoryFor(projectId, agent.companionId, externalClientId),
    ]);
    return {
      companion,
      settings: agent,
      functions: functions.filter((f): f is NonNullable<typeof f> => f !== undefined) as AssemblyFunction[],
      faqCollections: faqCollections
        .filter((c): c is NonNullable<typeof c> => c !== undefined)
        .map((c): AssemblyNamedResource => ({ id: c.id, name: c.name })),
      knowledgeBase,
      memory,
      externalClientProfile,
    };
  }
}

function resultOf(result: TurnResult): MessageResult {
  return {
    reply: result.entry === undefined ? null : { role: 'assistant', text: result.entry.text },
    events: result.events,
    toolCalls: result.toolCalls,
    pendingCallIds: result.pending === undefined ? [] : result.pending.calls.map((call) => call.callId),
    ...(result.entry?.durationMs === undefined
      ? {}
      : { timings: { durationMs: result.entry.durationMs, modelMs: result.entry.modelMs ?? 0, toolMs: result.entry.toolMs ?? 0 } }),
  };
}

function functionCallPending(callIds: readonly string[]): ConflictError {
  return new ConflictError(
    `The agent waits for the output of ${callIds.join(', ')}; answer with function-outputs (or wait for the timeout) before sending another message.`,
    'FunctionCallPending',
  );
}

function alreadySettled(callId: string): ConflictError {
  return new ConflictError(`The call ${callId} already has its output.`, 'FunctionCallAlreadySettled');
}

function recordedCall(session: Session, callId: string): TranscriptToolCall | undefined {
  for (const entry of session.transcript) {
    const found = entry.toolCalls?.find((call) => call.callId === callId);
    if (found !== undefined) return found;
  }
  return undefined;
}

function transcriptHasCall(session: Session, callId: string): boolean {
  return recordedCall(session, callId) !== undefined;
}

function sessionClosed(session: Pick<Session, 'status' | 'closeReason'>): BadRequestError {
  const reason = session.closeReason === undefined ? '' : ` (${session.closeReason})`;
  return new BadRequestError('SessionClosed', `The session is ${session.status}${reason}; open a new connection.`);
}

/** The close of an open session, with its `session_closed` event; nothing for one already closed. */
export function closeWithEvent(session: Session, at: Date, reason: CloseReason): Session | undefined {
  if (!isOpen(session)) return undefined;
  const closed = closedSession({ ...session, pendingTurn: undefined }, at, reason);
  return withStreamEvents(closed, [
    {
      type: 'session_closed',
      at: closed.closedAt ?? at.toISOString(),
      data: { closeReason: reason, activeSeconds: closed.activeSeconds ?? 0, ...(closed.cost === undefined ? {} : { cost: closed.cost }) },
    },
  ]);
}

/** What a turn adds to the event stream: each message said, and the turn's events. */
function streamEventsOf(entries: readonly TranscriptEntry[], events: readonly TurnEvent[], now: Date): NewSessionStreamEvent[] {
  const at = now.toISOString();
  const said: NewSessionStreamEvent[] = entries
    .filter((entry) => entry.text !== '' || entry.role === 'user')
    .map((entry) => ({
      type: 'message_received',
      at: entry.at,
      data: { role: entry.role, text: entry.text, ...(entry.source === undefined ? {} : { source: entry.source }) },
    }));
  const happened: NewSessionStreamEvent[] = events.flatMap((event): NewSessionStreamEvent[] => {
    switch (event.type) {
      case 'function_implicitly_called':
        return [{ type: event.type, at, data: { callId: event.callId, name: event.name, arguments: event.arguments, deadline: event.deadline } }];
      case 'function_call_timeout':
        return [{ type: event.type, at, data: { callId: event.callId, name: event.name } }];
      case 'content_filtered':
        return [{ type: event.type, at, data: { categories: event.categories } }];
      default:
        return [];
    }
  });
  return [...said, ...happened];
}

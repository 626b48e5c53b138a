import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { APIError, type AzureOpenAI } from 'openai';
// Azure's additions to the openai types: content filter results on choices and prompts.
import type {} from '@azure/openai/types';
import type {
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { z } from 'zod';
import { backoffMs, classifyOpenAIError, type RetryPolicy } from '../adapters/openai/openai-retry.js';
import { BadRequestError, ServiceUnavailableError } from '../domain/errors.js';
import type { Logger } from '../domain/logger.js';
import type { KnowledgePassage } from '../domain/knowledge/knowledge-passage.js';
import {
  MAX_TOOL_ROUNDS,
  type PendingFunctionCall,
  type PendingTurn,
  type Session,
  type TranscriptEntry,
  type TranscriptToolCall,
  type TurnMessage,
} from '../domain/session.js';
import type { FaqMatch, FaqMatcher } from './faq-matcher.js';
import type { FunctionInvoker } from './function-invoker.js';

/** A chat deployment to talk to, with the client that reaches it. */
export interface ChatModel {
  readonly client: AzureOpenAI;
  readonly deployment: string;
}

export interface ChatModelResolver {
  /** Undefined when no chat model is configured for the session's key (hosted without a platform chat deployment). */
  chatModelFor(session: Pick<Session, 'projectId' | 'keyId' | 'hosting'>): Promise<ChatModel | undefined>;
}

/** The built-in knowledge search, bound to the session's project. */
export type KnowledgeSearch = (projectId: string, baseId: string, query: string, top: number) => Promise<KnowledgePassage[]>;

export interface TurnEngineDeps {
  readonly chatModels: ChatModelResolver;
  readonly faqMatcher: Pick<FaqMatcher, 'matchFaq'>;
  readonly searchKnowledge: KnowledgeSearch;
  /** Runs explicit functions; implicit ones are handed to the calling application. */
  readonly functions: Pick<FunctionInvoker, 'invoke'>;
  /** The timeout of a project's function, which bounds how long an implicit call may wait for its output. */
  readonly functionTimeoutMs: (projectId: string, functionId: string) => Promise<number>;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

export type TurnEvent =
  | { readonly type: 'no_language_model'; readonly detail: string }
  /** The calling application runs this function and answers with `POST /public/sessions/{id}/function-outputs`. */
  | {
      readonly type: 'function_implicitly_called';
      readonly callId: string;
      readonly name: string;
      readonly arguments: string;
      readonly deadline: string;
    }
  /** A function gave no answer within its timeout; the model was told so. */
  | { readonly type: 'function_call_timeout'; readonly callId: string; readonly name: string }
  /** Azure OpenAI's content filter withheld the model's reply, in these categories. */
  | { readonly type: 'content_filtered'; readonly categories: string[] };

export interface TurnResult {
  /** What is appended to the transcript after the caller's message (the assistant's entry). */
  readonly entry: TranscriptEntry | undefined;
  readonly events: TurnEvent[];
  readonly toolCalls: TranscriptToolCall[];
  /** Set when the turn waits for implicit function outputs; `entry` is then undefined. */
  readonly pending?: PendingTurn | undefined;
  /** Set when the turn could not finish: the transcript is still written, then the error is answered. */
  readonly failure?: Error | undefined;
}

/** Interactive turns wait less than ingest does: a person is waiting for the reply. */
const TURN_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 400, maxDelayMs: 4000, maxRetryAfterMs: 10_000 };
const CHAT_TIMEOUT_MS = 30_000;
const KNOWLEDGE_TOP = 3;
/** How much of each passage the no-LLM reply quotes: enough to answer, short enough to read. */
const QUOTED_PASSAGE_CHARS = 600;

const searchArguments = z.object({ query: z.string().trim().min(1).max(1000) });

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const NO_LLM_DETAIL = 'No language model is configured for this API key, so replies come from FAQs and knowledge retrieval only.';

/** The tool result the model gets for an implicit call that was not answered in time. */
export function implicitTimeoutOutput(timeoutMs: number): string {
  return JSON.stringify({ error: `the calling application did not answer within ${timeoutMs} ms (function_call_timeout)` });
}

/** Where a turn stands between model rounds: what this turn added for the model, and its time so far. */
interface LoopState {
  readonly turnStartedAt: string;
  round: number;
  readonly messages: TurnMessage[];
  readonly toolCalls: TranscriptToolCall[];
  /** Time of earlier legs of the turn (before it waited for implicit outputs). */
  readonly priorMs: number;
  /** When this leg started (this process's clock). */
  readonly legStarted: number;
  modelMs: number;
  toolMs: number;
  readonly faqMatch?: TranscriptEntry['faqMatch'];
}

/**
 * One turn of the text channel: the model (with the bounded tool loop) when one is configured, else the local
 * default that answers by retrieval alone and says so. A turn whose model calls implicit functions stops, hands them
 * to the calling application, and resumes (`resume`) once each is answered or timed out.
 */
export class TurnEngine {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: TurnEngineDeps) {
    this.sleep = deps.sleep ?? defaultSleep;
  }

  /** `session.transcript` already ends with the caller's message. */
  async respond(session: Session, message: { role: 'user' | 'system'; text: string }): Promise<TurnResult> {
    const model = await this.deps.chatModels.chatModelFor(session);
    if (model === undefined) return this.retrievalOnly(session, message);
    const legStarted = performance.now();
    // The instructions promise the model the FAQ answer that matches a user's message: find it and give it.
    const match = message.role === 'user' ? await this.deps.faqMatcher.matchFaq(session.projectId, session.faqCollections, message.text) : undefined;
    return this.loop(session, model, {
      turnStartedAt: this.deps.now().toISOString(),
      round: 1,
      messages: match === undefined ? [] : [{ role: 'system', content: faqNote(match) }],
      faqMatch: match === undefined ? undefined : { collectionId: match.collectionId, itemId: match.item.id, score: match.score },
      toolCalls: [],
      priorMs: 0,
      legStarted,
      modelMs: 0,
      toolMs: 0,
    });
  }

  /** Continues a turn whose implicit calls are all settled: their outputs (or timeouts) go to the model. */
  async resume(session: Session, turn: PendingTurn): Promise<TurnResult> {
    const model = await this.deps.chatModels.chatModelFor(session);
    const outputs: TurnMessage[] = turn.calls.map((call) => ({ role: 'tool', toolCallId: call.callId, content: call.output ?? '' }));
    const toolCalls: TranscriptToolCall[] = [
      ...turn.toolCalls,
      ...turn.calls.map(
        (call): TranscriptToolCall => ({
          callId: call.callId,
          name: call.name,
          arguments: call.arguments,
          output: call.output,
          outcome: call.outcome,
          durationMs: call.settledAt === undefined ? undefined : Math.max(0, Date.parse(call.settledAt) - Date.parse(turn.startedAt)),
        }),
      ),
    ];
    const state: LoopState = {
      turnStartedAt: turn.startedAt,
      round: turn.round,
      messages: [...turn.messages, ...outputs],
      toolCalls,
      priorMs: turn.durationMs,
      legStarted: performance.now(),
      modelMs: turn.modelMs,
      toolMs: turn.toolMs,
      faqMatch: turn.faqMatch,
    };
    if (model === undefined) {
      // The key lost its model while the turn waited: say so rather than fail silently.
      return {
        entry: undefined,
        events: [],
        toolCalls,
        failure: new ServiceUnavailableError('LanguageModelUnavailable', 'The language model of this session is no longer configured.'),
      };
    }
    return this.loop(session, model, state);
  }

  private async retrievalOnly(session: Session, message: { role: 'user' | 'system'; text: string }): Promise<TurnResult> {
    const events: TurnEvent[] = [{ type: 'no_language_model', detail: NO_LLM_DETAIL }];
    // A system message instructs a model; without one there is nothing to answer.
    if (message.role === 'system') return { entry: undefined, events, toolCalls: [] };
    const started = performance.now();
    const entry = (text: string, source: TranscriptEntry['source']): TranscriptEntry => ({
      role: 'assistant',
      text,
      at: this.deps.now().toISOString(),
      durationMs: tenths(performance.now() - started),
      source,
    });
    const match = await this.deps.faqMatcher.matchFaq(session.projectId, session.faqCollections, message.text);
    if (match !== undefined) return { entry: entry(match.item.answer, 'faq'), events, toolCalls: [] };
    if (session.knowledgeBaseId !== undefined) {
      const passages = await this.deps.searchKnowledge(session.projectId, session.knowledgeBaseId, message.text, KNOWLEDGE_TOP);
      if (passages.length > 0) {
        const quoted = passages.map((p) => `- ${p.fileName}: ${oneParagraph(p.text)}`).join('\n');
        const text = `No language model is configured, so here are the passages of the knowledge base that best match your question:\n${quoted}`;
        return { entry: entry(text, 'knowledge'), events, toolCalls: [] };
      }
    }
    return {
      entry: entry('No language model is configured, and no FAQ answer or knowledge passage matches that question.', 'none'),
      events,
      toolCalls: [],
    };
  }

  private async loop(session: Session, model: ChatModel, state: LoopState): Promise<TurnResult> {
    const events: TurnEvent[] = [];
    const tools = session.assembled.tools as ChatCompletionTool[];
    for (; state.round <= MAX_TOOL_ROUNDS + 1; state.round += 1) {
      // The last round offers no tools, so the model must answer with what it has.
      const offerTools = tools.length > 0 && state.round <= MAX_TOOL_ROUNDS;
      const modelStarted = performance.now();
      const completion = await this.complete(model, {
        model: model.deployment,
        messages: [
          { role: 'system', content: session.assembled.instructions },
          ...historyOf(session.transcript),
          ...state.messages.map(toChatMessage),
        ],
        temperature: session.assembled.temperature,
        ...(offerTools ? { tools } : {}),
      });
      state.modelMs += performance.now() - modelStarted;
      if (completion.choices[0]?.finish_reason === 'content_filter') {
        const results = completion.choices[0].content_filter_results ?? {};
        const categories = Object.entries(results)
          .filter(([, result]) => typeof result === 'object' && result !== null && 'filtered' in result && result.filtered === true)
          .map(([category]) => category)
          .sort();
        events.push({ type: 'content_filtered', categories });
        return { entry: this.replyEntry('', state), events, toolCalls: state.toolCalls };
      }
      const choice = completion.choices[0]?.message;
      const calls = (choice?.tool_calls ?? []).filter(isFunctionCall);
      if (choice === undefined || calls.length === 0 || !offerTools) {
        return { entry: this.replyEntry(choice?.content ?? '', state), events, toolCalls: state.toolCalls };
      }
      state.messages.push({
        role: 'assistant',
        content: choice.content ?? null,
        toolCalls: calls.map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments })),
      });
      const implicit: PendingFunctionCall[] = [];
      let endpointWaitMs = 0;
      // Server-side calls of one round run together: the model asked for them at once.
      await Promise.all(
        calls.map(async (call) => {
          const result = await this.runServerSide(session, call, implicit);
          if (result === undefined) return;
          state.toolCalls.push(result.record);
          state.messages.push({ role: 'tool', toolCallId: call.id, content: result.record.output ?? '' });
          if (result.record.outcome === 'timeout') events.push({ type: 'function_call_timeout', callId: call.id, name: call.function.name });
          // Explicit calls of a round overlap: the round waits as long as the slowest.
          if (result.endpointMs !== undefined) endpointWaitMs = Math.max(endpointWaitMs, result.endpointMs);
        }),
      );
      state.toolMs += endpointWaitMs;
      if (implicit.length > 0) {
        const durationMs = tenths(state.priorMs + (performance.now() - state.legStarted));
        const pending: PendingTurn = {
          // Each wait has its own id: its timeout check must never settle a later wait of the same turn.
          id: randomUUID(),
          startedAt: state.turnStartedAt,
          round: state.round + 1,
          messages: state.messages,
          toolCalls: state.toolCalls,
          calls: implicit,
          durationMs,
          modelMs: state.modelMs,
          toolMs: state.toolMs,
          faqMatch: state.faqMatch,
        };
        for (const call of implicit) {
          events.push({ type: 'function_implicitly_called', callId: call.callId, name: call.name, arguments: call.arguments, deadline: call.deadline });
        }
        return { entry: undefined, events, toolCalls: state.toolCalls, pending };
      }
    }
    // Unreachable: the last round offers no tools and so always returns above.
    throw new Error('the tool loop ended without a reply');
  }

  /**
   * Runs a call the service runs itself (knowledge search, explicit functions) and returns its record; an implicit
   * call is added to `implicit` instead and gets no record until it is settled.
   */
  private async runServerSide(
    session: Session,
    call: Extract<ChatCompletionMessageToolCall, { type: 'function' }>,
    implicit: PendingFunctionCall[],
  ): Promise<{ record: TranscriptToolCall; endpointMs?: number } | undefined> {
    const started = performance.now();
    const record = (output: string, outcome: TranscriptToolCall['outcome']): TranscriptToolCall => ({
      callId: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
      output,
      outcome,
      durationMs: tenths(performance.now() - started),
    });
    const binding = session.assembled.toolBindings.find((b) => b.name === call.function.name);
    if (binding === undefined) return { record: record(JSON.stringify({ error: `there is no tool named "${call.function.name}"` }), 'error') };
    if (binding.kind === 'knowledgeSearch') {
      return { record: record(await this.runKnowledgeSearch(session.projectId, binding.knowledgeBaseId, call.function.arguments), 'ok') };
    }
    if (binding.flow === 'explicit') {
      const result = await this.deps.functions.invoke(
        session.projectId,
        binding.functionId,
        { callId: call.id, name: call.function.name, arguments: call.function.arguments },
        { sessionId: session.id, externalClientId: session.externalClientId, tags: session.tags },
      );
      return { record: { ...record(result.output, result.outcome), durationMs: result.durationMs }, endpointMs: result.endpointMs };
    }
    const timeoutMs = await this.deps.functionTimeoutMs(session.projectId, binding.functionId);
    implicit.push({
      callId: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
      deadline: new Date(this.deps.now().getTime() + timeoutMs).toISOString(),
    });
    return undefined;
  }

  private replyEntry(text: string, state: LoopState): TranscriptEntry {
    return {
      role: 'assistant',
      text,
      at: this.deps.now().toISOString(),
      durationMs: tenths(state.priorMs + (performance.now() - state.legStarted)),
      source: 'llm',
      toolCalls: state.toolCalls,
      modelMs: tenths(state.modelMs),
      toolMs: tenths(state.toolMs),
      ...(state.faqMatch === undefined ? {} : { faqMatch: state.faqMatch }),
    };
  }

  /** Runs the built-in knowledge search for the model or for a client (`function-calls`). */
  async runKnowledgeSearch(projectId: string, baseId: string, rawArguments: string): Promise<string> {
    let query: string;
    try {
      const parsed = searchArguments.safeParse(JSON.parse(rawArguments));
      if (!parsed.success) return JSON.stringify({ error: 'invalid arguments: give {"query": "..."}' });
      query = parsed.data.query;
    } catch {
      return JSON.stringify({ error: 'the arguments are not valid JSON' });
    }
    const passages = await this.deps.searchKnowledge(projectId, baseId, query, KNOWLEDGE_TOP);
    return JSON.stringify({
      results: passages.map((p) => ({ fileName: p.fileName, text: p.text, ...(p.page === undefined ? {} : { page: p.page }) })),
    });
  }

  /** One chat completion with our retry policy on 429/5xx and lost connections (the client's own retries are off). */
  private async complete(model: ChatModel, body: Parameters<AzureOpenAI['chat']['completions']['create']>[0] & { stream?: false }) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await model.client.chat.completions.create({ ...body, stream: false }, { maxRetries: 0, timeout: CHAT_TIMEOUT_MS });
      } catch (err) {
        if (err instanceof APIError && err.status === 400 && err.code === 'content_filter') {
          throw new BadRequestError('ContentFiltered', "Azure OpenAI's content filter blocked the message; it was not recorded. Rephrase it and send it again.");
        }
        const failure = await classifyOpenAIError(err);
        if (failure === undefined) throw err;
        const wait = failure.retryAfterMs ?? backoffMs(attempt, TURN_RETRY_POLICY);
        if (!failure.retryable || attempt >= TURN_RETRY_POLICY.maxAttempts || wait > TURN_RETRY_POLICY.maxRetryAfterMs) {
          this.deps.logger.warn('a chat completion failed', { deployment: model.deployment, status: failure.status, attempt });
          throw new ServiceUnavailableError('LanguageModelUnavailable', 'The language model did not answer; try the message again.');
        }
        await this.sleep(wait);
      }
    }
  }
}

function toChatMessage(message: TurnMessage): ChatCompletionMessageParam {
  if (message.role === 'system') return { role: 'system', content: message.content };
  if (message.role === 'tool') return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  return {
    role: 'assistant',
    content: message.content,
    tool_calls: message.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })),
  };
}

function isFunctionCall(call: ChatCompletionMessageToolCall): call is Extract<ChatCompletionMessageToolCall, { type: 'function' }> {
  return call.type === 'function';
}

/** Earlier turns as the model sees them again: what was said; tool rounds are summed up by the replies they led to. */
function historyOf(transcript: readonly TranscriptEntry[]): ChatCompletionMessageParam[] {
  return transcript
    .filter((entry) => entry.text !== '')
    .map((entry) => ({ role: entry.role, content: entry.text }));
}

/** What the model is told of the FAQ pair that matched: the pair itself, marked as the answer to give. */
function faqNote(match: FaqMatch): string {
  return `FAQ answer that matches the user's last message (question: "${oneParagraph(match.item.question)}"): ${match.item.answer}`;
}

/** Timings are kept to a tenth of a millisecond. */
function tenths(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function oneParagraph(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > QUOTED_PASSAGE_CHARS ? `${flat.slice(0, QUOTED_PASSAGE_CHARS)}…` : flat;
}

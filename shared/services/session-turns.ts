import type { AzureOpenAI } from 'openai';
import type {
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { z } from 'zod';
import { backoffMs, classifyOpenAIError, type RetryPolicy } from '../adapters/openai/openai-retry.js';
import { ConflictError, ServiceUnavailableError } from '../domain/errors.js';
import type { Logger } from '../domain/logger.js';
import type { KnowledgePassage } from '../domain/knowledge/knowledge-passage.js';
import { MAX_TOOL_ROUNDS, type Session, type TranscriptEntry, type TranscriptToolCall } from '../domain/session.js';
import type { FaqMatcher } from './faq-matcher.js';

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
  readonly logger: Logger;
  readonly now: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface TurnEvent {
  readonly type: 'no_language_model';
  readonly detail: string;
}

export interface TurnResult {
  /** What is appended to the transcript after the caller's message (the assistant's entry). */
  readonly entry: TranscriptEntry | undefined;
  readonly events: TurnEvent[];
  readonly toolCalls: TranscriptToolCall[];
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

export function functionCallsNotSupported(name: string): ConflictError {
  return new ConflictError(
    `The model called the function "${name}"; running project functions from a session is not supported yet, so the turn stopped.`,
    'FunctionCallsNotSupportedYet',
  );
}

/**
 * One turn of the text channel: the model (with the bounded tool loop) when one is configured, else the local
 * default that answers by retrieval alone and says so.
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
    return this.withModel(session, model);
  }

  private async retrievalOnly(session: Session, message: { role: 'user' | 'system'; text: string }): Promise<TurnResult> {
    const events: TurnEvent[] = [{ type: 'no_language_model', detail: NO_LLM_DETAIL }];
    // A system message instructs a model; without one there is nothing to answer.
    if (message.role === 'system') return { entry: undefined, events, toolCalls: [] };
    const started = Date.now();
    const entry = (text: string, source: TranscriptEntry['source']): TranscriptEntry => ({
      role: 'assistant',
      text,
      at: this.deps.now().toISOString(),
      durationMs: Date.now() - started,
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

  private async withModel(session: Session, model: ChatModel): Promise<TurnResult> {
    const started = Date.now();
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: session.assembled.instructions },
      ...historyOf(session.transcript),
    ];
    const tools = session.assembled.tools as ChatCompletionTool[];
    const toolCalls: TranscriptToolCall[] = [];
    for (let round = 1; round <= MAX_TOOL_ROUNDS + 1; round += 1) {
      // The last round offers no tools, so the model must answer with what it has.
      const offerTools = tools.length > 0 && round <= MAX_TOOL_ROUNDS;
      const completion = await this.complete(model, {
        model: model.deployment,
        messages,
        temperature: session.assembled.temperature,
        ...(offerTools ? { tools } : {}),
      });
      const choice = completion.choices[0]?.message;
      const calls = (choice?.tool_calls ?? []).filter(isFunctionCall);
      if (choice === undefined || calls.length === 0 || !offerTools) {
        const text = choice?.content ?? '';
        return {
          entry: { role: 'assistant', text, at: this.deps.now().toISOString(), durationMs: Date.now() - started, source: 'llm', toolCalls },
          events: [],
          toolCalls,
        };
      }
      messages.push({ role: 'assistant', content: choice.content ?? null, tool_calls: calls });
      for (const call of calls) {
        const binding = session.assembled.toolBindings.find((b) => b.name === call.function.name);
        if (binding?.kind !== 'knowledgeSearch') {
          toolCalls.push({ callId: call.id, name: call.function.name, arguments: call.function.arguments });
          return {
            entry: { role: 'assistant', text: '', at: this.deps.now().toISOString(), durationMs: Date.now() - started, source: 'llm', toolCalls },
            events: [],
            toolCalls,
            failure: functionCallsNotSupported(call.function.name),
          };
        }
        const callStarted = Date.now();
        const output = await this.runKnowledgeSearch(session.projectId, binding.knowledgeBaseId, call.function.arguments);
        toolCalls.push({ callId: call.id, name: call.function.name, arguments: call.function.arguments, output, durationMs: Date.now() - callStarted });
        messages.push({ role: 'tool', tool_call_id: call.id, content: output });
      }
    }
    // Unreachable: the last round offers no tools and so always returns above.
    throw new Error('the tool loop ended without a reply');
  }

  private async runKnowledgeSearch(projectId: string, baseId: string, rawArguments: string): Promise<string> {
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

function isFunctionCall(call: ChatCompletionMessageToolCall): call is Extract<ChatCompletionMessageToolCall, { type: 'function' }> {
  return call.type === 'function';
}

/** Earlier turns as the model sees them again: what was said; tool rounds are summed up by the replies they led to. */
function historyOf(transcript: readonly TranscriptEntry[]): ChatCompletionMessageParam[] {
  return transcript
    .filter((entry) => entry.text !== '')
    .map((entry) => ({ role: entry.role, content: entry.text }));
}

function oneParagraph(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > QUOTED_PASSAGE_CHARS ? `${flat.slice(0, QUOTED_PASSAGE_CHARS)}…` : flat;
}

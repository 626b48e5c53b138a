import { performance } from 'node:perf_hooks';
import type { AgentFunction } from '../domain/agent-function.js';
import { functionHeadersSchema } from '../domain/agent-function.js';
import type { AgentFunctionRepository } from '../domain/agent-function-repository.js';
import type { Clock } from '../domain/clock.js';
import type { Tags } from '../domain/companion.js';
import type { Logger } from '../domain/logger.js';
import {
  RemoteFileTooLargeError,
  UrlFetchTimedOutError,
  UrlNotAllowedError,
  UrlUnreachableError,
  type GuardedFetcher,
  type GuardedWebSocketCaller,
} from '../domain/outbound.js';
import { signedRequestHeaders } from '../domain/request-signature.js';
import type { SecretSealer } from '../domain/secret-sealer.js';
import type { ToolCallOutcome } from '../domain/session.js';

/** The largest answer an endpoint may give; a longer one is an error, not a truncated result. */
export const MAX_FUNCTION_ANSWER_BYTES = 256 * 1024;
/** What of an answer reaches the model: enough for any tool result a model can use, bounded in tokens. */
export const MAX_FUNCTION_OUTPUT_CHARS = 16_000;

export interface ExplicitCall {
  readonly callId: string;
  readonly name: string;
  /** The arguments as the model (or client) sent them: a JSON text. */
  readonly arguments: string;
}

export interface CallContext {
  readonly sessionId: string;
  readonly externalClientId?: string | undefined;
  readonly tags: Tags;
}

export interface FunctionCallOutcome {
  /** What goes back to the model: the endpoint's answer, or a JSON `{error}` that says what went wrong. */
  readonly output: string;
  readonly outcome: ToolCallOutcome;
  readonly durationMs: number;
  /** Of durationMs, the time spent waiting on the endpoint (0 when it was not called). */
  readonly endpointMs: number;
}

export interface FunctionInvokerDeps {
  readonly agentFunctions: Pick<AgentFunctionRepository, 'get'>;
  readonly sealer: SecretSealer;
  readonly fetcher: GuardedFetcher;
  readonly webSockets: GuardedWebSocketCaller;
  readonly clock: Clock;
  readonly logger: Logger;
}

const errorOutput = (error: string): string => JSON.stringify({ error });

/**
 * Calls a project's explicit function: a signed JSON POST to its `https://` endpoint through the guarded fetcher, or
 * one message over a connection to its `wss://` endpoint, within the function's timeout. Whatever happens becomes a
 * tool result the model can read; nothing the endpoint does fails the turn.
 */
export class FunctionInvoker {
  constructor(private readonly deps: FunctionInvokerDeps) {}

  async invoke(projectId: string, functionId: string, call: ExplicitCall, context: CallContext): Promise<FunctionCallOutcome> {
    const started = performance.now();
    let endpointMs = 0;
    const done = (outcome: ToolCallOutcome, output: string): FunctionCallOutcome => ({ output, outcome, durationMs: Math.round((performance.now() - started) * 10) / 10, endpointMs: Math.round(endpointMs * 10) / 10 });
    const fn = await this.deps.agentFunctions.get(projectId, functionId);
    if (fn === undefined) return done('error', errorOutput('the function no longer exists'));
    if (fn.flow !== 'explicit' || fn.url === undefined) return done('error', errorOutput('the function is run by the calling application'));
    let args: unknown;
    try {
      args = JSON.parse(call.arguments === '' ? '{}' : call.arguments);
    } catch {
      return done('error', errorOutput('the arguments are not valid JSON; call the function again with a JSON object'));
    }
    const body = JSON.stringify({
      callId: call.callId,
      name: fn.name,
      arguments: args,
      sessionId: context.sessionId,
      ...(context.externalClientId === undefined ? {} : { externalClientId: context.externalClientId }),
      tags: context.tags,
    });
    const headers = await this.headersFor(fn, body);
    const calling = performance.now();
    try {
      const answer = /^wss?:/i.test(fn.url)
        ? { status: 200, text: await this.deps.webSockets.call(fn.url, { headers, message: body, timeoutMs: fn.timeoutMs, maxBytes: MAX_FUNCTION_ANSWER_BYTES }) }
        : await this.postTo(fn, headers, body);
      endpointMs = performance.now() - calling;
      if (answer.status < 200 || answer.status > 299) {
        return done('error', errorOutput(`the function's endpoint answered HTTP ${answer.status}`));
      }
      return done('ok', boundedOutput(answer.text));
    } catch (err) {
      endpointMs = performance.now() - calling;
      const outcome = this.outcomeOf(err, fn);
      this.deps.logger.warn('an explicit function call failed', { functionId: fn.id, outcome: outcome.outcome, code: errorCodeOf(err) });
      return done(outcome.outcome, outcome.output);
    }
  }

  private async postTo(fn: AgentFunction, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
    const response = await this.deps.fetcher.fetch(fn.url ?? '', {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body,
      timeoutMs: fn.timeoutMs,
      maxBytes: MAX_FUNCTION_ANSWER_BYTES,
    });
    return { status: response.status, text: response.body.toString('utf8') };
  }

  /** The function's own headers, then the signature, which they can never replace (reserved names). */
  private async headersFor(fn: AgentFunction, body: string): Promise<Record<string, string>> {
    const own = fn.sealedHeaders === undefined ? {} : functionHeadersSchema.parse(JSON.parse(await this.deps.sealer.open(fn.sealedHeaders)));
    if (fn.sealedSigningSecret === undefined) return { ...own };
    const secret = await this.deps.sealer.open(fn.sealedSigningSecret);
    return { ...own, ...signedRequestHeaders(secret, body, this.deps.clock.now()) };
  }

  private outcomeOf(err: unknown, fn: AgentFunction): { outcome: ToolCallOutcome; output: string } {
    if (err instanceof UrlFetchTimedOutError) {
      return { outcome: 'timeout', output: errorOutput(`the function did not answer within ${fn.timeoutMs} ms`) };
    }
    if (err instanceof UrlNotAllowedError) return { outcome: 'refused', output: errorOutput("the function's endpoint address is not allowed") };
    if (err instanceof RemoteFileTooLargeError) {
      return { outcome: 'error', output: errorOutput(`the function answered more than ${MAX_FUNCTION_ANSWER_BYTES} bytes`) };
    }
    if (err instanceof UrlUnreachableError) return { outcome: 'error', output: errorOutput(`the function's endpoint is unreachable: ${err.reason}`) };
    throw err;
  }
}

function boundedOutput(text: string): string {
  return text.length > MAX_FUNCTION_OUTPUT_CHARS ? `${text.slice(0, MAX_FUNCTION_OUTPUT_CHARS)}…` : text;
}

function errorCodeOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

import type http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FunctionsCoreRegistry } from '../../functions-core/index.js';
import { invokeRegistration, newInvocationId } from '../invoke.js';
import { describeError, type HostLogger } from '../logger.js';
import { triggerBindingOf } from '../rpc-data.js';
import { sendProblem } from './problem.js';
import { declaredLengthExceeds, PayloadTooLargeError, readRequestBody } from './request-body.js';
import type { HttpRoute, RouteTable } from './route-table.js';
import {
  findHttpOutput,
  flattenHeaders,
  httpTriggerMetadata,
  toRpcHttpRequest,
  writeRpcHttpResponse,
  type HttpRequestFacts,
} from './rpc-http.js';
import { forwardToWorker, relayResponse } from './stream-proxy.js';

export interface HttpDispatchOptions {
  readonly registry: FunctionsCoreRegistry;
  readonly routes: RouteTable;
  readonly logger: HostLogger;
  /** The library's proxy server when the app enabled HTTP streaming; RPC mode otherwise. */
  readonly workerUri: URL | undefined;
  readonly proxyAgent: http.Agent;
  readonly maxRequestBodyBytes: number;
  /** `host:port` the server listens on, for requests without a Host header. */
  readonly authority: () => string;
  readonly isStopping: () => boolean;
}

const internalDetail = 'The function failed. The error was logged with the invocation id.';

/** Turns one HTTP request into at most one function invocation, as the Functions host does. */
export class HttpDispatcher {
  readonly #options: HttpDispatchOptions;

  constructor(options: HttpDispatchOptions) {
    this.#options = options;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const invocationId = newInvocationId();
    const method = (req.method ?? 'GET').toUpperCase();
    const authority = req.headers.host ?? this.#options.authority();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${authority}`);
    } catch {
      sendProblem(res, 400, 'BadRequest', 'The request URL or Host header is not valid.', { connection: 'close' });
      return;
    }
    let route: HttpRoute | undefined;

    const finished = new Promise<void>((resolve) => res.once('close', resolve));
    try {
      if (this.#options.isStopping()) {
        sendProblem(res, 503, 'ServiceUnavailable', 'The host is shutting down.', { connection: 'close' });
        return;
      }
      const lookup = this.#options.routes.lookup(method, url.pathname);
      if (lookup.kind === 'notFound') {
        sendProblem(res, 404, 'NotFound', `No function serves ${url.pathname}.`);
        return;
      }
      if (lookup.kind === 'methodNotAllowed') {
        sendProblem(res, 405, 'MethodNotAllowed', `${method} is not allowed on ${url.pathname}.`, {
          allow: lookup.allow.join(', '),
        });
        return;
      }
      route = lookup.route;
      const facts: HttpRequestFacts = { method, url, headers: flattenHeaders(req.headers), params: lookup.params };
      if (this.#options.workerUri) {
        await this.#invokeStreaming(req, res, route, facts, invocationId, authority, this.#options.workerUri);
      } else {
        await this.#invokeRpc(req, res, route, facts, invocationId);
      }
    } catch (error) {
      this.#options.logger.error('Host.Http', 'Request failed', { invocationId, ...describeError(error) });
      sendProblem(res, 500, 'Internal', internalDetail);
    } finally {
      if (!res.writableEnded) {
        await finished;
      }
      this.#options.logger.info('Host.Http', 'Request', {
        method,
        // The query may carry tokens or SAS signatures, so only the path is logged.
        path: url.pathname,
        route: route?.template.template,
        functionName: route?.functionName,
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        invocationId: route ? invocationId : undefined,
        aborted: !res.writableFinished || undefined,
      });
    }
  }

  async #invokeRpc(
    req: IncomingMessage,
    res: ServerResponse,
    route: HttpRoute,
    facts: HttpRequestFacts,
    invocationId: string,
  ): Promise<void> {
    let body: Buffer;
    try {
      body = await readRequestBody(req, this.#options.maxRequestBodyBytes);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        sendProblem(res, 413, 'PayloadTooLarge', error.message, { connection: 'close' });
        return;
      }
      throw error;
    }
    const { name: bindingName } = triggerBindingOf(route.registration);
    let response;
    try {
      response = await invokeRegistration(this.#options.registry, route.registration, {
        invocationId,
        inputData: [{ name: bindingName, data: { http: toRpcHttpRequest(facts, body) } }],
        triggerMetadata: httpTriggerMetadata(facts, route.functionName),
      });
    } catch (error) {
      this.#logFailure(route, invocationId, error);
      sendProblem(res, 500, 'Internal', internalDetail);
      return;
    }
    writeRpcHttpResponse(res, findHttpOutput(response, route.registration.metadata.bindings));
  }

  async #invokeStreaming(
    req: IncomingMessage,
    res: ServerResponse,
    route: HttpRoute,
    facts: HttpRequestFacts,
    invocationId: string,
    authority: string,
    workerUri: URL,
  ): Promise<void> {
    if (declaredLengthExceeds(req, this.#options.maxRequestBodyBytes)) {
      sendProblem(res, 413, 'PayloadTooLarge', 'The request body is too large.', { connection: 'close' });
      return;
    }
    const exchange = forwardToWorker(workerUri, req, invocationId, authority, this.#options.proxyAgent);
    res.once('close', () => {
      if (!res.writableFinished) exchange.abort();
    });

    const { name: bindingName } = triggerBindingOf(route.registration);
    let returnedResponse = true;
    const invocation = invokeRegistration(
      this.#options.registry,
      route.registration,
      {
        invocationId,
        inputData: [{ name: bindingName, data: { http: toRpcHttpRequest(facts, undefined) } }],
        triggerMetadata: httpTriggerMetadata(facts, route.functionName),
      },
      { onResult: (result) => (returnedResponse = result !== null && result !== undefined) },
    ).then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error }),
    );

    const first = await Promise.race([
      exchange.response.then(
        (proxied) => ({ kind: 'response' as const, proxied }),
        (error: unknown) => ({ kind: 'proxyFailed' as const, error }),
      ),
      invocation.then((outcome) => ({ kind: 'invocation' as const, outcome })),
    ]);

    if (first.kind === 'proxyFailed') {
      // Without the forwarded request the library never gets past building the arguments.
      this.#options.logger.error('Host.Http', 'Forwarding to the worker failed', {
        invocationId,
        functionName: route.functionName,
        ...describeError(first.error),
      });
      sendProblem(res, 502, 'BadGateway', 'The function could not be reached.');
      return;
    }

    if (first.kind === 'invocation') {
      if (!first.outcome.ok) {
        exchange.abort();
        this.#logFailure(route, invocationId, first.outcome.error);
        sendProblem(res, 500, 'Internal', internalDetail);
        return;
      }
      if (!returnedResponse) {
        // The library only answers through the proxy when the handler returned a response.
        exchange.abort();
        writeRpcHttpResponse(res, undefined);
        return;
      }
    }

    // The library has started (or finished) its response: relay it, and cut it if the handler fails midway.
    const proxied = await exchange.response;
    // The relay's failure is handled at once: a client that goes away while the handler still runs (a closed event
    // stream) rejects it long before the invocation ends, and an unhandled rejection would stop the host.
    const relayed = relayResponse(proxied, res).then(
      () => undefined,
      (error: unknown) => error ?? new Error('the relay failed'),
    );
    const outcome = await invocation;
    if (!outcome.ok) {
      this.#logFailure(route, invocationId, outcome.error);
      exchange.abort();
      res.destroy();
    }
    const relayError = await relayed;
    if (relayError === undefined || (outcome.ok && res.writableFinished)) return;
    this.#options.logger.warn('Host.Http', 'Streaming the response stopped early', {
      invocationId,
      functionName: route.functionName,
      ...describeError(relayError),
    });
  }

  #logFailure(route: HttpRoute, invocationId: string, error: unknown): void {
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
    this.#options.logger.error(`Function.${route.functionName}`, 'Executed (Failed)', {
      invocationId,
      functionName: route.functionName,
      ...describeError(cause),
    });
  }
}

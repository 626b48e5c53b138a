import http from 'node:http';
import path from 'node:path';
import { functionsCore, type FunctionRegistration } from '../functions-core/index.js';
import { HostStartupError } from './errors.js';
import { resolveHostId } from './host-id.js';
import { readHostJson } from './host-json.js';
import { HttpDispatcher } from './http/http-dispatch.js';
import { LocalHttpServer } from './http/http-server.js';
import { RouteTable } from './http/route-table.js';
import { InflightWork } from './inflight.js';
import { runAppStartHooks, runAppTerminateHooks } from './lifecycle-hooks.js';
import { describeError, HostLogger, writeJsonLine } from './logger.js';
import { resolveTuning, type LocalHostOptions } from './options.js';
import { StorageClients } from './storage-clients.js';
import { planTriggers, type TriggerListener } from './triggers.js';

export interface LocalHttpRouteInfo {
  readonly functionName: string;
  readonly route: string;
  /** Undefined when the function accepts every method. */
  readonly methods: readonly string[] | undefined;
}

export interface LocalHost {
  /** `http://host:port`, without a trailing slash; routes already include host.json's routePrefix. */
  readonly url: string;
  readonly port: number;
  readonly hostId: string;
  /** True when the app called `app.setup({ enableHttpStream: true })`. */
  readonly httpStreaming: boolean;
  readonly registrations: readonly FunctionRegistration[];
  readonly routes: readonly LocalHttpRouteInfo[];
  /** Graceful: no new requests or messages, in-flight invocations finish (bounded), appTerminate hooks run. */
  stop(): Promise<void>;
}

const category = 'Host';

function urlHost(host: string | undefined): string {
  if (!host || host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Serves the functions registered through `@azure/functions` (after installFunctionsCore() and the import
 * of the function modules) the way the Functions host does: HTTP routes, queue, blob and timer triggers.
 */
export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const registry = functionsCore;
  const appDir = path.resolve(options.appDir);
  const tuning = resolveTuning(options.tuning);
  const hostJson = await readHostJson(appDir);
  const logger = new HostLogger(options.log ?? writeJsonLine, hostJson.defaultLogLevel);
  const hostId = resolveHostId(appDir, options.settings);
  const registrations = registry.functions;
  if (registrations.length > 0 && !registry.programmingModel) {
    throw new HostStartupError('Functions are registered but no programming model is set.');
  }

  const unlock = registry.lock('the local host');
  const restoreLogSink = registry.setLogSink((entry) => logger.core(entry));
  const inflight = new InflightWork();
  const proxyAgent = new http.Agent({ keepAlive: true });
  const started: TriggerListener[] = [];
  let server: LocalHttpServer | undefined;

  const release = (): void => {
    proxyAgent.destroy();
    restoreLogSink();
    unlock();
  };

  try {
    const plan = planTriggers(registrations, {
      registry,
      settings: options.settings,
      hostJson,
      hostId,
      storage: new StorageClients(),
      inflight,
      logger,
      tuning,
    });
    const routes = new RouteTable(plan.httpRoutes);
    const capabilities = registrations.length > 0 ? await registry.workerCapabilities() : {};
    const workerUri = capabilities['HttpUri'] ? new URL(capabilities['HttpUri']) : undefined;

    await runAppStartHooks(registry, appDir);

    let authority = '';
    const dispatcher = new HttpDispatcher({
      registry,
      routes,
      logger,
      workerUri,
      proxyAgent,
      maxRequestBodyBytes: tuning.maxRequestBodyBytes,
      authority: () => authority,
      isStopping: () => server?.stopping ?? true,
    });
    server = new LocalHttpServer(dispatcher, inflight, logger);
    const address = await server.listen(options.port, options.host);
    authority = `${urlHost(options.host)}:${address.port}`;

    for (const listener of plan.listeners) {
      await listener.start();
      started.push(listener);
    }

    const url = `http://${authority}`;
    logger.info(category, 'Host started', {
      url,
      hostId,
      httpStreaming: Boolean(workerUri),
      functions: registrations.map((r) => r.metadata.name),
    });

    let stopping: Promise<void> | undefined;
    const activeServer = server;
    return {
      url,
      port: address.port,
      hostId,
      httpStreaming: Boolean(workerUri),
      registrations,
      routes: routes.routes.map((route) => ({
        functionName: route.functionName,
        route: route.template.template,
        methods: route.methods ? [...route.methods] : undefined,
      })),
      stop() {
        stopping ??= (async () => {
          logger.info(category, 'Host stopping', { inflight: inflight.size });
          const closed = activeServer.beginStop();
          await Promise.all(started.map((listener) => listener.stop()));
          const drained = await inflight.drain(tuning.shutdownTimeoutMs);
          if (!drained) {
            logger.warn(category, 'In-flight invocations did not finish in time', {
              inflight: inflight.size,
              timeoutMs: tuning.shutdownTimeoutMs,
            });
          }
          await runAppTerminateHooks(registry, (error) =>
            logger.error(category, 'An appTerminate hook failed', describeError(error)),
          );
          activeServer.closeConnections();
          await closed;
          logger.info(category, 'Host stopped');
          release();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((listener) => listener.stop()));
    if (server) {
      const closed = server.beginStop();
      server.closeConnections();
      await closed;
    }
    release();
    throw error;
  }
}

import type {
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  HookData,
  HookName,
  LogHookContext,
  ProgrammingModel,
  RpcLogCategory,
  WorkerCapabilities,
  RpcLogLevel,
} from '@azure/functions-core';
import { Disposable } from './disposable.js';

/** One `app.http/storageQueue/storageBlob/timer(...)` call as the library hands it to the worker. */
export interface FunctionRegistration {
  readonly metadata: FunctionMetadata;
  readonly callback: FunctionCallback;
}

export interface CoreLogEntry {
  level: RpcLogLevel;
  category: RpcLogCategory;
  message: string;
  invocationId?: string;
  functionName?: string;
}

export type CoreLogSink = (entry: CoreLogEntry) => void;

const hookNames: readonly HookName[] = ['preInvocation', 'postInvocation', 'appStart', 'appTerminate', 'log'];

function isHookName(name: string): name is HookName {
  return (hookNames as readonly string[]).includes(name);
}

/** The worker marks its own errors so the library can tell "old host" RangeErrors from user errors. */
class FunctionsCoreError extends Error {
  readonly isAzureFunctionsSystemError = true;
}

/** Until a host takes over the logs: JSON lines, without the debug chatter the host also hides by default. */
function consoleSink(entry: CoreLogEntry): void {
  if (entry.level === 'trace' || entry.level === 'debug' || entry.level === 'none') {
    return;
  }
  const line = JSON.stringify({ time: new Date().toISOString(), ...entry });
  if (entry.level === 'error' || entry.level === 'critical' || entry.level === 'warning') {
    console.error(line);
  } else {
    console.log(line);
  }
}

/**
 * What the worker keeps per process: the programming model, the registered functions and hooks.
 * The library talks to it through the `@azure/functions-core` module; the local host reads it.
 */
export class FunctionsCoreRegistry {
  readonly #functions = new Map<string, FunctionRegistration>();
  readonly #hooks = new Map<HookName, HookCallback[]>(hookNames.map((name) => [name, []]));
  #programmingModel: ProgrammingModel | undefined;
  #lockedBy: string | undefined;
  #logSink: CoreLogSink = consoleSink;
  #capabilities: { model: ProgrammingModel; result: Promise<WorkerCapabilities> } | undefined;

  /** Shared by every hook of the app, across invocations (the worker's `appHookData`). */
  readonly appHookData: HookData = {};
  /** `hookData` of appStart/appTerminate hooks: shared by app-level hooks only. */
  readonly appLevelOnlyHookData: HookData = {};

  get programmingModel(): ProgrammingModel | undefined {
    return this.#programmingModel;
  }

  setProgrammingModel(model: ProgrammingModel): void {
    this.#programmingModel = model;
  }

  getProgrammingModel(): ProgrammingModel {
    if (!this.#programmingModel) {
      throw new FunctionsCoreError(
        'No programming model is set: register a function with "@azure/functions" after installFunctionsCore().',
      );
    }
    return this.#programmingModel;
  }

  /**
   * The worker asks the programming model for its capabilities once per process. Asking again would
   * make `@azure/functions` open a second HTTP-stream proxy server, so the answer is kept.
   */
  workerCapabilities(): Promise<WorkerCapabilities> {
    const model = this.getProgrammingModel();
    if (this.#capabilities?.model !== model) {
      const result = Promise.resolve().then(() => model.getCapabilities?.({}) ?? {});
      this.#capabilities = { model, result };
      result.catch(() => {
        if (this.#capabilities?.result === result) this.#capabilities = undefined;
      });
    }
    return this.#capabilities.result;
  }

  get functions(): readonly FunctionRegistration[] {
    return [...this.#functions.values()];
  }

  registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
    if (this.#lockedBy) {
      throw new FunctionsCoreError(`A function can only be registered during app startup (${this.#lockedBy} is running).`);
    }
    if (typeof metadata?.name !== 'string' || metadata.name.length === 0) {
      throw new FunctionsCoreError('A function must have a name.');
    }
    if (typeof callback !== 'function') {
      throw new FunctionsCoreError(`Function "${metadata.name}" has no callback.`);
    }
    const triggers = Object.values(metadata.bindings ?? {}).filter((b) => /trigger$/i.test(b.type ?? ''));
    if (triggers.length !== 1) {
      throw new FunctionsCoreError(`Function "${metadata.name}" must have exactly one trigger binding.`);
    }
    // The host treats function names case-insensitively (routes, logs, receipts).
    const key = metadata.name.toLowerCase();
    if (this.#functions.has(key)) {
      throw new FunctionsCoreError(`Duplicate function name "${metadata.name}".`);
    }
    const registration: FunctionRegistration = { metadata, callback };
    this.#functions.set(key, registration);
    return new Disposable(() => {
      if (this.#lockedBy) {
        throw new FunctionsCoreError('A function can only be disposed during app startup.');
      }
      if (this.#functions.get(key) === registration) {
        this.#functions.delete(key);
      }
    });
  }

  registerHook(hookName: string, callback: HookCallback): Disposable {
    if (!isHookName(hookName)) {
      const error = new FunctionsCoreError(`"${hookName}" is not a valid hook name: use one of ${hookNames.join(', ')}.`);
      error.name = 'RangeError';
      throw error;
    }
    if (typeof callback !== 'function') {
      throw new FunctionsCoreError(`The ${hookName} hook must be a function.`);
    }
    const callbacks = this.#callbacks(hookName);
    callbacks.push(callback);
    return new Disposable(() => {
      const index = callbacks.indexOf(callback);
      if (index >= 0) {
        callbacks.splice(index, 1);
      }
    });
  }

  hooksFor(hookName: HookName): readonly HookCallback[] {
    return this.#callbacks(hookName);
  }

  #callbacks(hookName: HookName): HookCallback[] {
    const callbacks = this.#hooks.get(hookName);
    if (!callbacks) {
      throw new FunctionsCoreError(`Unknown hook ${hookName}.`);
    }
    return callbacks;
  }

  /** While a host serves the registrations, new ones would silently never be served, so refuse them. */
  lock(owner: string): () => void {
    if (this.#lockedBy) {
      throw new FunctionsCoreError(`The registrations are already served by ${this.#lockedBy}.`);
    }
    this.#lockedBy = owner;
    return () => {
      if (this.#lockedBy === owner) {
        this.#lockedBy = undefined;
      }
    };
  }

  /** Routes logs to a host; returns the function that restores the previous sink. */
  setLogSink(sink: CoreLogSink): () => void {
    const previous = this.#logSink;
    this.#logSink = sink;
    return () => {
      if (this.#logSink === sink) {
        this.#logSink = previous;
      }
    };
  }

  /**
   * Log hooks may rewrite level and message of user logs only, as in the worker. A throwing log hook
   * must not break the code that logged, so its error becomes a system log of its own.
   */
  log(entry: CoreLogEntry, invocationContext?: unknown): void {
    const hooks = this.hooksFor('log');
    if (hooks.length > 0) {
      const context: LogHookContext = {
        hookData: {},
        appHookData: this.appHookData,
        invocationContext,
        category: entry.category,
        level: entry.level,
        message: entry.message,
      };
      for (const hook of hooks) {
        try {
          hook(context);
        } catch (error) {
          this.#logSink({ level: 'error', category: 'system', message: `A log hook failed: ${String(error)}` });
        }
      }
      if (entry.category === 'user') {
        entry = { ...entry, level: context.level, message: context.message };
      }
    }
    this.#logSink(entry);
  }
}

const registryKey = Symbol.for('companion-api.functions-core.registry');
const globalSlots = globalThis as typeof globalThis & { [registryKey]?: FunctionsCoreRegistry };

/**
 * One registry per process, like the worker's. Kept on globalThis because a test runner or a mix of
 * compiled and source modules may evaluate this file twice, while `@azure/functions` exists once.
 */
export const functionsCore: FunctionsCoreRegistry = (globalSlots[registryKey] ??= new FunctionsCoreRegistry());

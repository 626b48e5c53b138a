import type { RpcLogLevel } from '@azure/functions-core';
import type { CoreLogEntry } from '../functions-core/index.js';

/** One structured log record; the writer decides how it is printed (the default is one JSON line). */
export type HostLogLine = Readonly<Record<string, unknown>>;
export type HostLogWriter = (line: HostLogLine) => void;

const severity: Record<RpcLogLevel, number> = {
  trace: 0,
  debug: 1,
  information: 2,
  warning: 3,
  error: 4,
  critical: 5,
  none: 6,
};

export function writeJsonLine(line: HostLogLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

export class HostLogger {
  readonly #write: HostLogWriter;
  readonly #minimum: number;

  constructor(write: HostLogWriter, minimumLevel: RpcLogLevel) {
    this.#write = write;
    this.#minimum = severity[minimumLevel];
  }

  log(level: RpcLogLevel, category: string, message: string, fields: Record<string, unknown> = {}): void {
    if (level === 'none' || severity[level] < this.#minimum) {
      return;
    }
    try {
      this.#write({ time: new Date().toISOString(), level, category, message, ...fields });
    } catch {
      // A broken log writer must not take an invocation down with it.
    }
  }

  info(category: string, message: string, fields?: Record<string, unknown>): void {
    this.log('information', category, message, fields);
  }

  warn(category: string, message: string, fields?: Record<string, unknown>): void {
    this.log('warning', category, message, fields);
  }

  error(category: string, message: string, fields?: Record<string, unknown>): void {
    this.log('error', category, message, fields);
  }

  /** Logs from the library and from `context.log(...)` in handlers, named as the host names them. */
  core(entry: CoreLogEntry): void {
    const category =
      entry.category === 'user' && entry.functionName
        ? `Function.${entry.functionName}.User`
        : entry.functionName
          ? `Function.${entry.functionName}`
          : 'Worker';
    const fields: Record<string, unknown> = {};
    if (entry.invocationId) fields['invocationId'] = entry.invocationId;
    if (entry.functionName) fields['functionName'] = entry.functionName;
    this.log(entry.level, category, entry.message, fields);
  }
}

/** Log-safe text for an error: its message and stack, never the objects it carries. */
export function describeError(error: unknown): { error: string; stack?: string } {
  if (error instanceof Error) {
    return error.stack ? { error: `${error.name}: ${error.message}`, stack: error.stack } : { error: error.message };
  }
  return { error: String(error) };
}

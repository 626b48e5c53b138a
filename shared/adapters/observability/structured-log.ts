import type { Logger } from '../../domain/logger.js';
import type { Metrics } from '../../domain/metrics.js';
import { currentInvocationScope } from './invocation-scope.js';

/**
 * Structured logs and metrics as one JSON object per line on the console, which the Functions worker forwards to
 * Application Insights (`traces`, the line in `message`); README "Operations" has the queries. Every line carries the
 * invocation's ids when it was written inside one. Secrets are kept out twice: properties whose names say secret,
 * token, key, password, authorization, signature or SAS are replaced, and so are SAS signatures and bearer tokens
 * inside any string.
 */

export type LogLevel = 'information' | 'warning' | 'error';
export type LineWriter = (line: string, level: LogLevel) => void;

const consoleWriter: LineWriter = (line, level) => {
  if (level === 'error') console.error(line);
  else if (level === 'warning') console.warn(line);
  else console.log(line);
};

const SECRET_WORD = /secret|token|password|passwd|authorization|signature|apikey|api_key|credential|connectionstring|(^|[^a-z])sas($|[^a-z])/i;
const KEY_NAME = /^key$|[_-]key$|(account|access|api|subscription|master|primary|secondary|shared|private|signing|encryption)Key$/i;
const isSecretName = (name: string): boolean => SECRET_WORD.test(name) || KEY_NAME.test(name);
const REDACTED = '[redacted]';
const MAX_DEPTH = 6;

/** Strips SAS signatures and bearer tokens from free text (URLs and messages of SDK errors hold them). */
export function redactText(text: string): string {
  return text
    .replace(/([?&](?:sig|se|skoid|sktid|skt|ske|sks|skv|code|token|access_token)=)[^&\s"']+/gi, `$1${REDACTED}`)
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${REDACTED}`)
    .replace(/(AccountKey=|SharedAccessSignature=|Password=)[^;\s"']+/gi, `$1${REDACTED}`);
}

/** A JSON-safe copy of `value` with secret-looking properties and text redacted. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? value.toString() : value;
  if (depth >= MAX_DEPTH) return '[…]';
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      name: value.name,
      message: redactText(value.message),
      ...(code !== undefined ? { code: redact(code, depth + 1) } : {}),
      ...(value.stack !== undefined ? { stack: redactText(value.stack) } : {}),
    };
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    out[name] = isSecretName(name) && item !== undefined && item !== null && typeof item !== 'boolean' && typeof item !== 'number' ? REDACTED : redact(item, depth + 1);
  }
  return out;
}

function scopeFields(): Record<string, string> {
  const scope = currentInvocationScope();
  return scope === undefined ? {} : { invocationId: scope.invocationId, functionName: scope.functionName, correlationId: scope.correlationId };
}

export interface StructuredLogOptions {
  readonly write?: LineWriter;
  readonly now?: () => Date;
}

/** The Logger port as JSON lines: `{time, level, message, invocationId?, functionName?, correlationId?, properties?}`. */
export function structuredLogger(options: StructuredLogOptions = {}): Logger & { info(message: string, properties?: Record<string, unknown>): void } {
  const write = options.write ?? consoleWriter;
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, message: string, properties?: Record<string, unknown>): void => {
    const line: Record<string, unknown> = { time: now().toISOString(), level, message: redactText(message), ...scopeFields() };
    if (properties !== undefined && Object.keys(properties).length > 0) line['properties'] = redact(properties);
    write(JSON.stringify(line), level);
  };
  return {
    info: (message, properties) => emit('information', message, properties),
    warn: (message, properties) => emit('warning', message, properties),
    error: (message, properties) => emit('error', message, properties),
  };
}

/**
 * The Metrics port as JSON lines: `{time, metric, value, dimensions, invocationId?, correlationId?}`. Non-finite
 * values are dropped (a metric that cannot be summed would poison every chart it is in).
 */
export function structuredMetrics(options: StructuredLogOptions = {}): Metrics {
  const write = options.write ?? consoleWriter;
  const now = options.now ?? (() => new Date());
  return {
    record(name, value, dimensions = {}) {
      if (!Number.isFinite(value)) return;
      const line = { time: now().toISOString(), metric: name, value, dimensions: redact(dimensions), ...scopeFields() };
      write(JSON.stringify(line), 'information');
    },
  };
}

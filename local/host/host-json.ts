import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RpcLogLevel } from '@azure/functions-core';
import { HostStartupError } from './errors.js';
import { parseTimeSpan } from './timespan.js';

export type QueueMessageEncoding = 'base64' | 'none';

export interface QueueHostOptions {
  readonly batchSize: number;
  readonly newBatchThreshold: number;
  readonly maxPollingIntervalMs: number;
  readonly visibilityTimeoutMs: number;
  readonly maxDequeueCount: number;
  readonly messageEncoding: QueueMessageEncoding;
}

export interface BlobHostOptions {
  readonly maxDegreeOfParallelism: number;
  readonly poisonBlobThreshold: number;
}

/** The parts of host.json the local host honours, with Azure's defaults filled in. */
export interface HostJson {
  readonly routePrefix: string;
  readonly queues: QueueHostOptions;
  readonly blobs: BlobHostOptions;
  readonly defaultLogLevel: RpcLogLevel;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(root: JsonObject, ...keys: string[]): JsonObject {
  let current: unknown = root;
  for (const key of keys) {
    current = isObject(current) ? current[key] : undefined;
  }
  return isObject(current) ? current : {};
}

function integer(section: JsonObject, key: string, fallback: number, min: number, max: number): number {
  const value = section[key];
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new HostStartupError(`host.json: "${key}" must be an integer from ${min} to ${max}.`);
  }
  return value;
}

function timeSpan(section: JsonObject, key: string, fallbackMs: number): number {
  const value = section[key];
  if (value === undefined) {
    return fallbackMs;
  }
  const ms = typeof value === 'string' ? parseTimeSpan(value) : undefined;
  if (ms === undefined) {
    throw new HostStartupError(`host.json: "${key}" must be a TimeSpan such as "00:00:30".`);
  }
  return ms;
}

const logLevels: Record<string, RpcLogLevel> = {
  trace: 'trace',
  debug: 'debug',
  information: 'information',
  warning: 'warning',
  error: 'error',
  critical: 'critical',
  none: 'none',
};

export function parseHostJson(json: unknown): HostJson {
  if (!isObject(json)) {
    throw new HostStartupError('host.json must hold a JSON object.');
  }
  const http = objectAt(json, 'extensions', 'http');
  const queues = objectAt(json, 'extensions', 'queues');
  const blobs = objectAt(json, 'extensions', 'blobs');
  const logLevel = objectAt(json, 'logging', 'logLevel');

  const routePrefixValue = http['routePrefix'];
  if (routePrefixValue !== undefined && typeof routePrefixValue !== 'string') {
    throw new HostStartupError('host.json: "extensions.http.routePrefix" must be a string.');
  }
  const routePrefix = (routePrefixValue ?? 'api').replace(/^\/+|\/+$/g, '');

  // Azure caps a queue read at 32 messages.
  const batchSize = integer(queues, 'batchSize', 16, 1, 32);
  const encodingValue = queues['messageEncoding'] ?? 'base64';
  if (encodingValue !== 'base64' && encodingValue !== 'none') {
    throw new HostStartupError('host.json: "extensions.queues.messageEncoding" must be "base64" or "none".');
  }

  const defaultLevelText = typeof logLevel['default'] === 'string' ? logLevel['default'].toLowerCase() : 'information';
  const defaultLogLevel = logLevels[defaultLevelText];
  if (!defaultLogLevel) {
    throw new HostStartupError(`host.json: unknown log level "${String(logLevel['default'])}".`);
  }

  return {
    routePrefix,
    queues: {
      batchSize,
      newBatchThreshold: integer(queues, 'newBatchThreshold', Math.floor(batchSize / 2), 0, 1000),
      maxPollingIntervalMs: Math.max(timeSpan(queues, 'maxPollingInterval', 60_000), 100),
      visibilityTimeoutMs: timeSpan(queues, 'visibilityTimeout', 0),
      maxDequeueCount: integer(queues, 'maxDequeueCount', 5, 1, 1000),
      messageEncoding: encodingValue,
    },
    blobs: {
      maxDegreeOfParallelism: integer(blobs, 'maxDegreeOfParallelism', 8, 1, 1000),
      poisonBlobThreshold: integer(blobs, 'poisonBlobThreshold', 5, 1, 1000),
    },
    defaultLogLevel,
  };
}

export async function readHostJson(appDir: string): Promise<HostJson> {
  const file = path.join(appDir, 'host.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new HostStartupError(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HostStartupError(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseHostJson(json);
}

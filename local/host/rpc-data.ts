import type { RpcBindingInfo, RpcTypedData } from '@azure/functions-core';
import { randomUUID } from 'node:crypto';
import type { FunctionRegistration } from '../functions-core/index.js';

/** Typed data the way the host sends non-string values: JSON text the library parses back. */
export function jsonData(value: unknown): RpcTypedData {
  return { json: JSON.stringify(value) };
}

export function stringData(value: string): RpcTypedData {
  return { string: value };
}

/** The `sys` trigger metadata the host adds to every invocation. */
export function sysMetadata(functionName: string, now = new Date()): RpcTypedData {
  return jsonData({ MethodName: functionName, UtcNow: now.toISOString(), RandGuid: randomUUID() });
}

export interface TriggerBinding {
  readonly name: string;
  readonly binding: RpcBindingInfo;
}

/** The one trigger binding of a registration (the core registry refuses registrations without one). */
export function triggerBindingOf(registration: FunctionRegistration): TriggerBinding {
  for (const [name, binding] of Object.entries(registration.metadata.bindings)) {
    if (/trigger$/i.test(binding.type ?? '')) {
      return { name, binding };
    }
  }
  throw new Error(`Function "${registration.metadata.name}" has no trigger binding.`);
}

export function stringOption(binding: RpcBindingInfo, key: string): string | undefined {
  const value = binding[key];
  return typeof value === 'string' ? value : undefined;
}

export function booleanOption(binding: RpcBindingInfo, key: string): boolean | undefined {
  const value = binding[key];
  return typeof value === 'boolean' ? value : undefined;
}

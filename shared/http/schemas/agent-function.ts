import { z } from 'zod';
import {
  DEFAULT_FUNCTION_TIMEOUT_MS,
  MAX_FUNCTION_TIMEOUT_MS,
  MAX_FUNCTION_URL_LENGTH,
  MIN_FUNCTION_TIMEOUT_MS,
  functionDescriptionSchema,
  functionFlowSchema,
  functionHeadersSchema,
  functionNameSchema,
  functionPromptSchema,
  functionTimeoutSchema,
} from '../../domain/agent-function.js';
import { etagField, idParam, timestamp } from './common.js';

export const functionPathParams = z.strictObject({ id: idParam('function id') });

const jsonObject = z.record(z.string(), z.unknown());

/** POST and PUT take the whole definition: PUT replaces the function, write-only headers included. */
export const functionDefinitionBody = z.strictObject({
  data: z.strictObject({
    name: functionNameSchema,
    description: functionDescriptionSchema.optional().describe('what the function does, for the model'),
    parameters: jsonObject
      .optional()
      .describe('the JSON Schema (draft 2020-12) of the arguments: an object schema, e.g. {"type": "object", "properties": {...}}'),
  }),
  flow: functionFlowSchema.describe('implicit: the calling application runs it; explicit: the backend calls `url`'),
  url: z
    .string()
    .max(MAX_FUNCTION_URL_LENGTH)
    .optional()
    .describe('explicit functions only, and required there: the https:// or wss:// endpoint'),
  headers: functionHeadersSchema.optional(),
  prompt: functionPromptSchema.optional().describe('told to the model under the function name: when and how to use it'),
  timeoutMs: functionTimeoutSchema
    .default(DEFAULT_FUNCTION_TIMEOUT_MS)
    .describe(`how long a call may take, ${MIN_FUNCTION_TIMEOUT_MS}-${MAX_FUNCTION_TIMEOUT_MS} ms (default ${DEFAULT_FUNCTION_TIMEOUT_MS})`),
});

/** The function of API.md; its headers are never returned, only their names. */
export const agentFunctionResponse = z.object({
  id: z.string(),
  data: z.object({
    name: z.string(),
    description: z.string().optional(),
    parameters: jsonObject.optional(),
  }),
  flow: functionFlowSchema,
  url: z.string().optional(),
  headerNames: z.array(z.string()).describe('the names of the write-only headers'),
  prompt: z.string().optional(),
  timeoutMs: z.number().int(),
  created: timestamp,
  updated: timestamp,
  etag: etagField,
});

/** The create and rotation answers: the function with its signing secret, shown this once. */
export const agentFunctionWithSecretResponse = agentFunctionResponse.extend({
  signingSecret: z
    .string()
    .describe(
      'shown once: verify X-Webhook-Signature (v1=<hex HMAC-SHA256 of "timestamp.body">) with it on every call to the explicit endpoint',
    ),
});

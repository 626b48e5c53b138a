import { z } from 'zod';
import { apiKeyNameSchema } from '../../domain/api-key.js';
import { llmConfigInputSchema } from '../../domain/llm-config.js';
import { idParam, timestamp } from './common.js';

export const projectPathParams = z.strictObject({ projectId: idParam('project id') });

export const projectKeyPathParams = z.strictObject({
  projectId: idParam('project id'),
  keyId: idParam('API key id'),
});

export const createApiKeyBody = z.strictObject({
  name: apiKeyNameSchema,
  llm: llmConfigInputSchema,
});

/** The LLM configuration as shown: never the credential. */
const llmConfigResponse = z.discriminatedUnion('hosting', [
  z.object({ hosting: z.literal('hosted') }),
  z.object({
    hosting: z.literal('custom'),
    endpoint: z.string(),
    deployment: z.string(),
    realtimeDeployment: z.string().optional(),
    embeddingDeployment: z.string().optional(),
    apiVersion: z.string().optional(),
    useManagedIdentity: z.boolean(),
  }),
]);

export const apiKeyResponse = z.object({
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  prefix: z.string().describe('the first characters of the secret'),
  last4: z.string().describe('the last four characters of the secret'),
  hosting: z.enum(['hosted', 'custom']),
  llm: llmConfigResponse,
  createdAt: timestamp,
  lastUsedAt: timestamp.optional().describe('accurate to about a minute'),
});

export const createdApiKeyResponse = apiKeyResponse.extend({
  secret: z.string().describe('the API key; shown only in this response, store it now'),
});

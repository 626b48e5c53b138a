import { z } from 'zod';
import { sealedSecretSchema } from './secret-sealer.js';

const deploymentName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, dots, underscores or hyphens');

/**
 * The LLM configuration an admin gives when creating an API key. Platform-hosted takes nothing else; customer-hosted
 * (Azure OpenAI) needs an https endpoint, a deployment and a credential: an API key or the platform's managed
 * identity (which the customer grants access to their resource).
 */
export const llmConfigInputSchema = z
  .discriminatedUnion('hosting', [
    z.strictObject({ hosting: z.literal('hosted') }),
    z.strictObject({
      hosting: z.literal('custom'),
      // http:// passes here only to be refused by the service unless the local-only loopback setting allows it.
      endpoint: z.url({ protocol: /^https?$/, error: 'must be an https:// URL' }).max(2048),
      deployment: deploymentName,
      realtimeDeployment: deploymentName.optional(),
      embeddingDeployment: deploymentName.optional(),
      apiVersion: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, 'must look like 2024-10-21 or 2025-04-01-preview')
        .optional(),
      apiKey: z.string().min(1).max(512).optional(),
      useManagedIdentity: z.boolean().optional(),
    }),
  ])
  .superRefine((llm, ctx) => {
    if (llm.hosting !== 'custom') return;
    const hasKey = llm.apiKey !== undefined;
    const usesIdentity = llm.useManagedIdentity === true;
    if (hasKey === usesIdentity) {
      ctx.addIssue({
        code: 'custom',
        path: hasKey ? ['useManagedIdentity'] : ['apiKey'],
        message: hasKey
          ? 'give either apiKey or useManagedIdentity, not both'
          : 'a customer-hosted LLM needs apiKey or useManagedIdentity: true',
      });
    }
  });
export type LlmConfigInput = z.infer<typeof llmConfigInputSchema>;

/** What is stored: the customer's API key only sealed, never in plain text. */
export const storedLlmConfigSchema = z.discriminatedUnion('hosting', [
  z.object({ hosting: z.literal('hosted') }),
  z.object({
    hosting: z.literal('custom'),
    endpoint: z.string(),
    deployment: z.string(),
    realtimeDeployment: z.string().optional(),
    embeddingDeployment: z.string().optional(),
    apiVersion: z.string().optional(),
    credential: z.enum(['apiKey', 'managedIdentity']),
    sealedApiKey: sealedSecretSchema.optional(),
  }),
]);
export type StoredLlmConfig = z.infer<typeof storedLlmConfigSchema>;

/** What clients may see of a key's LLM configuration: everything except the credential itself. */
export type LlmConfigView =
  | { readonly hosting: 'hosted' }
  | {
      readonly hosting: 'custom';
      readonly endpoint: string;
      readonly deployment: string;
      readonly realtimeDeployment?: string | undefined;
      readonly embeddingDeployment?: string | undefined;
      readonly apiVersion?: string | undefined;
      readonly useManagedIdentity: boolean;
    };

export function viewOfLlmConfig(llm: StoredLlmConfig): LlmConfigView {
  if (llm.hosting === 'hosted') return { hosting: 'hosted' };
  return {
    hosting: 'custom',
    endpoint: llm.endpoint,
    deployment: llm.deployment,
    realtimeDeployment: llm.realtimeDeployment,
    embeddingDeployment: llm.embeddingDeployment,
    apiVersion: llm.apiVersion,
    useManagedIdentity: llm.credential === 'managedIdentity',
  };
}

/**
 * A customer endpoint must be https; plain http only to a loopback host, and only where the local-only
 * COMPANION_ALLOW_PRIVATE_URLS setting allows it (a local model server, or the tests' fake).
 */
export function llmEndpointProblem(llm: LlmConfigInput, allowPrivateUrls: boolean): string | undefined {
  if (llm.hosting !== 'custom') return undefined;
  const url = new URL(llm.endpoint);
  if (url.protocol === 'https:') return undefined;
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  return allowPrivateUrls && loopback ? undefined : 'must be an https:// URL';
}

import { getBearerTokenProvider, type TokenCredential } from '@azure/identity';
import type { AzureOpenAI } from 'openai';
import type { AzureOpenAISettings } from '../../config.js';
import type { StoredLlmConfig } from '../../domain/llm-config.js';
import type { SecretSealer } from '../../domain/secret-sealer.js';

/** The scope of Microsoft Entra tokens for Azure OpenAI (and every Azure AI services resource). */
export const COGNITIVE_SERVICES_SCOPE = 'https://cognitiveservices.azure.com/.default';

export type AzureOpenAICredential =
  | { readonly kind: 'apiKey'; readonly apiKey: string }
  /** The platform's managed identity; a customer grants it "Cognitive Services OpenAI User" on their resource. */
  | { readonly kind: 'managedIdentity' };

/** Where and how to reach one Azure OpenAI resource: the platform's (settings) or a customer's (an API key's LLM configuration). */
export interface AzureOpenAIConnection {
  readonly endpoint: string;
  readonly apiVersion: string;
  readonly credential: AzureOpenAICredential;
}

/** The deployments of a connection; each is optional because a resource need not have every kind. */
export interface AzureOpenAIDeployments {
  readonly chat: string | undefined;
  readonly embedding: string | undefined;
  readonly realtime: string | undefined;
}

export interface AzureOpenAIClientOptions {
  /** The managed identity, built only when a connection uses it. */
  readonly tokenCredential: () => TokenCredential;
  /** Local-only COMPANION_ALLOW_PRIVATE_URLS: a loopback http:// endpoint (the Azure OpenAI fake) is accepted. */
  readonly allowPrivateUrls: boolean;
  /** The client's own retries (it honours `Retry-After`); callers with a retry loop of their own pass 0 per request. */
  readonly maxRetries?: number;
  readonly timeoutMs?: number;
  /** Replaces the transport, e.g. with one that applies the outbound URL guard to customers' endpoints. */
  readonly fetch?: typeof globalThis.fetch;
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The endpoint as the client will use it: https with no credentials, path or query; plain http only to loopback when
 * the local-only setting allows it. Throws with a message that never includes the URL's userinfo.
 */
export function checkAzureOpenAIEndpoint(endpoint: string, allowPrivateUrls: boolean): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error('the Azure OpenAI endpoint is not an absolute URL');
  }
  if (url.username !== '' || url.password !== '') throw new Error('the Azure OpenAI endpoint must not carry credentials');
  const localHttp = url.protocol === 'http:' && allowPrivateUrls && isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !localHttp) throw new Error(`the Azure OpenAI endpoint must be https:// (${url.origin})`);
  return url.origin;
}

/** The platform's resource from the settings, or undefined when AZURE_OPENAI_ENDPOINT is not set. */
export function platformAzureOpenAIConnection(settings: AzureOpenAISettings | undefined): AzureOpenAIConnection | undefined {
  if (settings === undefined) return undefined;
  return {
    endpoint: settings.endpoint,
    apiVersion: settings.apiVersion,
    credential: settings.apiKey !== undefined ? { kind: 'apiKey', apiKey: settings.apiKey } : { kind: 'managedIdentity' },
  };
}

export function platformAzureOpenAIDeployments(settings: AzureOpenAISettings | undefined): AzureOpenAIDeployments {
  return { chat: settings?.chatDeployment, embedding: settings?.embeddingDeployment, realtime: settings?.realtimeDeployment };
}

/**
 * A customer-hosted configuration of an API key: its sealed key is opened here, just before use, and lives only in
 * the returned connection (never logged, never stored in plain text).
 */
export async function customerAzureOpenAIConnection(
  llm: Extract<StoredLlmConfig, { hosting: 'custom' }>,
  sealer: SecretSealer,
  defaultApiVersion: string,
): Promise<AzureOpenAIConnection> {
  let credential: AzureOpenAICredential;
  if (llm.credential === 'apiKey') {
    if (llm.sealedApiKey === undefined) throw new Error('the customer LLM configuration names an API key but holds none');
    credential = { kind: 'apiKey', apiKey: await sealer.open(llm.sealedApiKey) };
  } else {
    credential = { kind: 'managedIdentity' };
  }
  return { endpoint: llm.endpoint, apiVersion: llm.apiVersion ?? defaultApiVersion, credential };
}

export function customerAzureOpenAIDeployments(llm: Extract<StoredLlmConfig, { hosting: 'custom' }>): AzureOpenAIDeployments {
  return { chat: llm.deployment, embedding: llm.embeddingDeployment, realtime: llm.realtimeDeployment };
}

/**
 * Builds an `AzureOpenAI` client for a connection. `openai` is imported here, on first use, because loading it costs
 * about 55 ms that cold start should not pay. Every option the client would otherwise read from the environment
 * (OPENAI_BASE_URL, OPENAI_API_VERSION, AZURE_OPENAI_API_KEY) is given explicitly, so that a customer's connection
 * never picks up the platform's settings.
 */
export async function createAzureOpenAIClient(
  connection: AzureOpenAIConnection,
  options: AzureOpenAIClientOptions,
): Promise<AzureOpenAI> {
  const origin = checkAzureOpenAIEndpoint(connection.endpoint, options.allowPrivateUrls);
  const { AzureOpenAI } = await import('openai');
  const common = {
    baseURL: `${origin}/openai`,
    apiVersion: connection.apiVersion,
    maxRetries: options.maxRetries ?? 2,
    timeout: options.timeoutMs ?? 60_000,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  };
  if (connection.credential.kind === 'apiKey') {
    return new AzureOpenAI({ ...common, apiKey: connection.credential.apiKey });
  }
  return new AzureOpenAI({
    ...common,
    azureADTokenProvider: getBearerTokenProvider(options.tokenCredential(), COGNITIVE_SERVICES_SCOPE),
    // An empty key, not undefined: undefined would make the client fall back to AZURE_OPENAI_API_KEY from the
    // environment, which it refuses next to a token provider (and which may be the platform's key).
    apiKey: '',
  });
}

import type { StoredLlmConfig } from './llm-config.js';

/** Who is calling `/public/*`: the API key fixes the organization and the project. */
export interface ApiKeyPrincipal {
  readonly keyId: string;
  readonly projectId: string;
  readonly orgId: string;
  readonly hosting: StoredLlmConfig['hosting'];
}

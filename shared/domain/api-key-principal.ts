import type { StoredLlmConfig } from './llm-config.js';

/** Who is calling `/public/*`: the API key fixes the organization and the project. */
export interface ApiKeyPrincipal {
  readonly keyId: string;
  readonly projectId: string;
  readonly orgId: string;
  readonly hosting: StoredLlmConfig['hosting'];
  /**
   * Set when the dashboard calls for a signed-in user instead of a key: their role in the organization. A member
   * sees and ends only the Playground sessions they opened (`keyId` is theirs); an admin sees all.
   */
  readonly dashboardRole?: 'admin' | 'member' | undefined;
}

/** Whether the caller may see this session: every caller of the project may, but a dashboard member only their own. */
export function maySeeSession(principal: ApiKeyPrincipal, session: { readonly keyId: string }): boolean {
  return principal.dashboardRole !== 'member' || session.keyId === principal.keyId;
}

import type { TokenCredential } from '@azure/identity';
import type { ApiKeyRepository } from '../../domain/api-key-repository.js';
import type { SecretSealer } from '../../domain/secret-sealer.js';
import type { ChatModel, ChatModelResolver } from '../../services/session-turns.js';
import { createAzureOpenAIClient, customerAzureOpenAIConnection } from './azure-openai-client.js';
import type { PlatformOpenAI } from './platform-openai.js';

export interface ChatModelResolverDeps {
  readonly platform: PlatformOpenAI | undefined;
  readonly apiKeys: ApiKeyRepository;
  readonly sealer: SecretSealer;
  readonly defaultApiVersion: string;
  readonly allowPrivateUrls: boolean;
  readonly tokenCredential: () => TokenCredential;
}

/**
 * The chat deployment a session talks to: the platform's for a hosted key, the customer's own for a custom key (its
 * endpoint, deployment and credential, read from the key at each turn so a revoked or changed key takes effect).
 */
export function createChatModelResolver(deps: ChatModelResolverDeps): ChatModelResolver {
  return {
    async chatModelFor(session): Promise<ChatModel | undefined> {
      if (session.hosting === 'hosted') {
        const deployment = deps.platform?.chatDeployment;
        if (deps.platform === undefined || deployment === undefined) return undefined;
        return { client: await deps.platform.client(), deployment };
      }
      const key = await deps.apiKeys.get(session.projectId, session.keyId);
      if (key === undefined || key.llm.hosting !== 'custom') return undefined;
      const connection = await customerAzureOpenAIConnection(key.llm, deps.sealer, deps.defaultApiVersion);
      // Our own retry loop (session-turns.ts) is the one retry policy, so the client's is off.
      const client = await createAzureOpenAIClient(connection, {
        tokenCredential: deps.tokenCredential,
        allowPrivateUrls: deps.allowPrivateUrls,
        maxRetries: 0,
      });
      return { client, deployment: key.llm.deployment };
    },
  };
}

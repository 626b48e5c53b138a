import { getBearerTokenProvider, type TokenCredential } from '@azure/identity';
import type { ApiKeyRepository } from '../../domain/api-key-repository.js';
import { ServiceUnavailableError } from '../../domain/errors.js';
import type { Logger } from '../../domain/logger.js';
import { realtimeSessionConfigOf, type RealtimeCredentials, type RealtimeMinter } from '../../domain/realtime.js';
import type { SecretSealer } from '../../domain/secret-sealer.js';
import { checkAzureOpenAIEndpoint, COGNITIVE_SERVICES_SCOPE, customerAzureOpenAIConnection, type AzureOpenAIConnection } from './azure-openai-client.js';
import { classifyOpenAIError } from './openai-retry.js';
import type { PlatformOpenAI } from './platform-openai.js';

export interface RealtimeMinterDeps {
  readonly platform: PlatformOpenAI | undefined;
  readonly apiKeys: ApiKeyRepository;
  readonly sealer: SecretSealer;
  readonly defaultApiVersion: string;
  readonly allowPrivateUrls: boolean;
  readonly tokenCredential: () => TokenCredential;
  readonly logger: Logger;
}

/** How long a minted secret may be used to start the realtime session (the session itself may last longer). */
const CLIENT_SECRET_SECONDS = 600;
const MINT_TIMEOUT_MS = 15_000;

/**
 * Mints realtime client secrets on the Azure OpenAI v1 API (`POST {endpoint}/openai/v1/realtime/client_secrets`)
 * through the `openai` package: the platform's resource and realtime deployment for a hosted key, the customer's
 * endpoint, credential and `realtimeDeployment` for a custom one.
 */
export function createRealtimeMinter(deps: RealtimeMinterDeps): RealtimeMinter {
  return {
    async mint(session): Promise<RealtimeCredentials | undefined> {
      const target = await targetOf(deps, session);
      if (target === undefined) return undefined;
      const origin = checkAzureOpenAIEndpoint(target.connection.endpoint, deps.allowPrivateUrls);
      const { default: OpenAI } = await import('openai');
      const client = new OpenAI({
        baseURL: `${origin}/openai/v1`,
        apiKey:
          target.connection.credential.kind === 'apiKey'
            ? target.connection.credential.apiKey
            : getBearerTokenProvider(deps.tokenCredential(), COGNITIVE_SERVICES_SCOPE),
        maxRetries: 2,
        timeout: MINT_TIMEOUT_MS,
      });
      try {
        const minted = await client.realtime.clientSecrets.create({
          expires_after: { anchor: 'created_at', seconds: CLIENT_SECRET_SECONDS },
          session: realtimeSessionConfigOf(session.assembled, target.deployment) as never,
        });
        const host = new URL(origin);
        const wsProtocol = host.protocol === 'https:' ? 'wss:' : 'ws:';
        return {
          deployment: target.deployment,
          clientSecret: minted.value,
          expiresAt: new Date(minted.expires_at * 1000).toISOString(),
          webrtcUrl: `${origin}/openai/v1/realtime/calls`,
          websocketUrl: `${wsProtocol}//${host.host}/openai/v1/realtime?model=${encodeURIComponent(target.deployment)}`,
        };
      } catch (err) {
        const failure = await classifyOpenAIError(err);
        deps.logger.warn('a realtime client secret could not be minted', { sessionId: session.id, status: failure?.status });
        throw new ServiceUnavailableError('RealtimeUnavailable', 'The realtime model could not start a session; open the connection again.');
      }
    },
  };
}

async function targetOf(
  deps: RealtimeMinterDeps,
  session: { readonly projectId: string; readonly keyId: string; readonly hosting: 'hosted' | 'custom' },
): Promise<{ connection: AzureOpenAIConnection; deployment: string } | undefined> {
  if (session.hosting === 'hosted') {
    const deployment = deps.platform?.realtimeDeployment;
    if (deps.platform === undefined || deployment === undefined) return undefined;
    return { connection: deps.platform.connection, deployment };
  }
  const key = await deps.apiKeys.get(session.projectId, session.keyId);
  if (key === undefined || key.llm.hosting !== 'custom' || key.llm.realtimeDeployment === undefined) return undefined;
  return { connection: await customerAzureOpenAIConnection(key.llm, deps.sealer, deps.defaultApiVersion), deployment: key.llm.realtimeDeployment };
}

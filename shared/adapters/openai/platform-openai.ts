import type { TokenCredential } from '@azure/identity';
import type { AzureOpenAI } from 'openai';
import type { Config } from '../../config.js';
import type { EmbeddingClient } from '../../domain/knowledge/embeddings.js';
import { createAzureOpenAIClient, platformAzureOpenAIConnection, type AzureOpenAIConnection } from './azure-openai-client.js';
import { createAzureOpenAIEmbeddingClient } from './azure-openai-embedding-client.js';

/** The platform's Azure OpenAI resource (AZURE_OPENAI_* settings), as the composition root hands it out. */
export interface PlatformOpenAI {
  /** The one client of the process, built on first use (loading `openai` then, not at start-up). */
  client(): Promise<AzureOpenAI>;
  /** Where the resource is and how to authenticate (for clients other than `client()`, e.g. realtime minting). */
  readonly connection: AzureOpenAIConnection;
  readonly chatDeployment: string | undefined;
  readonly realtimeDeployment: string | undefined;
  readonly visionDeployment: string | undefined;
  /** Undefined without AZURE_OPENAI_EMBEDDING_DEPLOYMENT: retrieval and FAQ matching are then lexical only. */
  readonly embeddings: EmbeddingClient | undefined;
}

/** Undefined when AZURE_OPENAI_ENDPOINT is not set. */
export function createPlatformOpenAI(
  config: Pick<Config, 'openai' | 'allowPrivateUrls'>,
  credential: () => TokenCredential,
): PlatformOpenAI | undefined {
  const settings = config.openai;
  const connection = platformAzureOpenAIConnection(settings);
  if (settings === undefined || connection === undefined) return undefined;
  let client: Promise<AzureOpenAI> | undefined;
  const clientOf = (): Promise<AzureOpenAI> => {
    client ??= createAzureOpenAIClient(connection, { tokenCredential: credential, allowPrivateUrls: config.allowPrivateUrls });
    client.catch(() => (client = undefined));
    return client;
  };
  return {
    client: clientOf,
    connection,
    chatDeployment: settings.chatDeployment,
    realtimeDeployment: settings.realtimeDeployment,
    visionDeployment: settings.visionDeployment,
    embeddings:
      settings.embeddingDeployment === undefined
        ? undefined
        : createAzureOpenAIEmbeddingClient({
            client: clientOf,
            deployment: settings.embeddingDeployment,
            dimensions: settings.embeddingDimensions,
          }),
  };
}

import type { TokenCredential } from '@azure/identity';
import type { Config } from '../config.js';
import type { AvatarEngine } from '../domain/avatar-engine.js';
import type { Clock } from '../domain/clock.js';
import type { CompanionAssetStore } from '../domain/companion-asset-store.js';
import type { CompanionJobQueue } from '../domain/companion-jobs.js';
import type { AvatarViewRenderer } from '../domain/media/avatar-views.js';
import type { VoiceEngine } from '../domain/voice-engine.js';
import { createHttpAvatarEngine } from './avatar/http-avatar-engine.js';
import { createLocalAvatarEngine } from './avatar/local-avatar-engine.js';
import { AzureCompanionAssetStore } from './companion-asset-blob-store.js';
import { StorageCompanionJobQueue } from './companion-job-queue.js';
import { createLocalAvatarViews } from './media/local-avatar-views.js';
import { createGuardedFetcher } from './outbound/guarded-fetcher.js';
import type { StorageClients } from './storage.js';
import { createAzurePersonalVoiceEngine } from './voice/azure-personal-voice-engine.js';
import { createLocalVoiceEngine } from './voice/local-voice-engine.js';

/** The ports of avatar generation, voice profiles and asset serving, as the composition root hands them to services. */
export interface CompanionGenerationPorts {
  readonly assetStore: CompanionAssetStore;
  readonly avatarEngine: AvatarEngine;
  readonly voiceEngine: VoiceEngine;
  readonly companionJobs: CompanionJobQueue;
  readonly portraits: AvatarViewRenderer;
}

const COGNITIVE_SERVICES_SCOPE = 'https://cognitiveservices.azure.com/.default';

/**
 * Chooses the engines from the settings: the remote rendering service when AVATAR_ENGINE_URL is set, Azure AI Speech
 * personal voice when SPEECH_ENDPOINT is set (key or managed identity), the local engines otherwise.
 */
export function createCompanionGenerationPorts(
  config: Pick<Config, 'avatarEngine' | 'speech' | 'allowPrivateUrls'>,
  storage: StorageClients,
  credential: () => TokenCredential,
  clock: Clock,
): CompanionGenerationPorts {
  const assetStore = new AzureCompanionAssetStore(storage.blobs);
  const portraits = createLocalAvatarViews();
  const avatarEngine =
    config.avatarEngine === undefined
      ? createLocalAvatarEngine({ renderer: portraits, assets: assetStore })
      : createHttpAvatarEngine({
          engineUrl: config.avatarEngine.url,
          secret: config.avatarEngine.callbackSecret,
          publicBaseUrl: config.avatarEngine.publicBaseUrl,
          assets: assetStore,
          fetcher: createGuardedFetcher({ allowPrivateUrls: config.allowPrivateUrls }),
          clock,
        });
  const speech = config.speech;
  const voiceEngine =
    speech === undefined
      ? createLocalVoiceEngine(assetStore)
      : createAzurePersonalVoiceEngine({
          endpoint: speech.endpoint,
          auth:
            speech.key !== undefined
              ? { kind: 'key', key: speech.key }
              : {
                  kind: 'token',
                  token: async () => {
                    const token = await credential().getToken(COGNITIVE_SERVICES_SCOPE);
                    if (token === null) throw new Error('the managed identity returned no token for Azure AI Speech');
                    return token.token;
                  },
                },
          locale: speech.consentLocale,
          assets: assetStore,
        });
  return { assetStore, avatarEngine, voiceEngine, companionJobs: new StorageCompanionJobQueue(storage.queues), portraits };
}

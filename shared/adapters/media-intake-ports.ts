import type { Config } from '../config.js';
import type { MediaFetchQueue } from '../domain/media-fetch-job.js';
import type { MediaIntakeStore } from '../domain/media-intake-store.js';
import type { MediaInspector } from '../domain/media/media-inspector.js';
import type { GuardedFetcher } from '../domain/outbound.js';
import { createLibraryMediaInspector } from './media/library-media-inspector.js';
import { StorageQueueMediaFetchQueue } from './media-fetch-queue.js';
import { AzureMediaIntakeStore } from './media-intake-blob-store.js';
import { createGuardedFetcher } from './outbound/guarded-fetcher.js';
import { COMPANION_MEDIA_FETCH_QUEUE } from './queues.js';
import type { StorageClients } from './storage.js';

/** The ports of the media intake, as the composition root hands them to services. */
export interface MediaIntakePorts {
  readonly fetcher: GuardedFetcher;
  readonly mediaInspector: MediaInspector;
  readonly mediaStore: MediaIntakeStore;
  readonly mediaFetchQueue: MediaFetchQueue;
}

export function createMediaIntakePorts(config: Pick<Config, 'allowPrivateUrls'>, storage: StorageClients): MediaIntakePorts {
  return {
    fetcher: createGuardedFetcher({ allowPrivateUrls: config.allowPrivateUrls }),
    // The media libraries load on the first check, not here (media-libraries.ts).
    mediaInspector: createLibraryMediaInspector(),
    mediaStore: new AzureMediaIntakeStore(storage.blobs),
    mediaFetchQueue: new StorageQueueMediaFetchQueue(storage.queues.getQueueClient(COMPANION_MEDIA_FETCH_QUEUE)),
  };
}

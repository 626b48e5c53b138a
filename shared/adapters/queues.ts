/**
 * Every storage queue the app writes to or triggers on, with why it exists: the list the local start-up, the tests
 * and the deployment templates read. Later capabilities add theirs here.
 */
export interface QueueDefinition {
  readonly name: string;
  readonly purpose: string;
}

export const WEBHOOK_EVENTS_QUEUE = 'webhook-events';
export const AVATAR_GENERATION_QUEUE = 'avatar-generation';
export const VOICE_PROFILE_QUEUE = 'voice-profile';
export const COMPANION_MEDIA_FETCH_QUEUE = 'companion-media-fetch';
export const KNOWLEDGE_FILE_FETCH_QUEUE = 'knowledge-file-fetch';
/** Where the Functions host moves a message after its last failed try (host.json maxDequeueCount). */
export const poisonQueueOf = (queueName: string): string => `${queueName}-poison`;
/** Where the Functions host reports a blob whose blob-triggered function failed on every try (poisonBlobThreshold). */
export const BLOB_TRIGGER_POISON_QUEUE = 'webjobs-blobtrigger-poison';

export const STORAGE_QUEUES = [
  {
    name: WEBHOOK_EVENTS_QUEUE,
    purpose: 'Events for project webhooks (companion.created/updated/deleted, ...), one JSON message per event, awaiting delivery.',
  },
  {
    name: AVATAR_GENERATION_QUEUE,
    purpose: 'Avatar generation jobs, {companionId, projectId, orgId} per companion whose media is accepted (and delayed checks on remote renders).',
  },
  {
    name: poisonQueueOf(AVATAR_GENERATION_QUEUE),
    purpose: 'Avatar generation jobs that failed on every try; their companions are marked failed.',
  },
  {
    name: VOICE_PROFILE_QUEUE,
    purpose: 'Voice profile jobs, {companionId, projectId, orgId} per digital twin whose voice sample is accepted.',
  },
  {
    name: poisonQueueOf(VOICE_PROFILE_QUEUE),
    purpose: 'Voice profile jobs that failed on every try; their twins are marked failed.',
  },
  {
    name: COMPANION_MEDIA_FETCH_QUEUE,
    purpose: "Media URLs of new companions ({companionId, projectId, orgId, kind, url}), fetched by the guarded fetcher into the companion's incoming path.",
  },
  {
    name: poisonQueueOf(COMPANION_MEDIA_FETCH_QUEUE),
    purpose: 'Media fetches that failed on every try; their medium is rejected (MediaFetchFailed) so the companion does not stay pending.',
  },
  {
    name: KNOWLEDGE_FILE_FETCH_QUEUE,
    purpose: "Knowledge file URLs ({projectId, orgId, baseId, fileId, url}), fetched by the guarded fetcher into the file's landing blob.",
  },
  {
    name: poisonQueueOf(KNOWLEDGE_FILE_FETCH_QUEUE),
    purpose: 'Knowledge file fetches that failed on every try; their files fail (IngestionFailed) instead of staying uploading.',
  },
  {
    name: BLOB_TRIGGER_POISON_QUEUE,
    purpose: 'Blobs whose blob-triggered function failed on every try, reported by the Functions host; an unchecked media file rejects its medium (MediaCheckFailed), an uningested knowledge file fails (IngestionFailed).',
  },
] as const satisfies readonly QueueDefinition[];

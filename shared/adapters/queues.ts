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
export const FUNCTION_CALL_TIMEOUTS_QUEUE = 'function-call-timeouts';
export const SESSION_EVENTS_QUEUE = 'session-events';
export const SESSION_MEMORY_QUEUE = 'session-memory';
export const USAGE_EVENTS_QUEUE = 'usage-events';
export const PROJECT_DELETIONS_QUEUE = 'project-deletions';
/** Where the Functions host moves a message after its last failed try (host.json maxDequeueCount). */
export const poisonQueueOf = (queueName: string): string => `${queueName}-poison`;
/** Where the Functions host reports a blob whose blob-triggered function failed on every try (poisonBlobThreshold). */
export const BLOB_TRIGGER_POISON_QUEUE = 'webjobs-blobtrigger-poison';

export const STORAGE_QUEUES = [
  {
    name: WEBHOOK_EVENTS_QUEUE,
    purpose:
      'Events for project webhooks (companion.created/updated/deleted, ...), one JSON message per event, awaiting delivery; retries are the event again with its attempt number, hidden until their time.',
  },
  {
    name: poisonQueueOf(WEBHOOK_EVENTS_QUEUE),
    purpose: 'Webhook events whose delivery failed to be processed on every try; their deliveries are recorded as failed.',
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
    purpose:
      'Voice profile jobs: {companionId, projectId, orgId} per digital twin whose voice sample is accepted, and {job: "deleteVoiceProfile", ...} to delete a deleted twin\'s personal voice and consent.',
  },
  {
    name: poisonQueueOf(VOICE_PROFILE_QUEUE),
    purpose:
      'Voice profile jobs that failed on every try: a creation marks its twin failed; a deletion goes back on the queue with a growing delay (5 minutes, doubling up to 6 hours).',
  },
  {
    name: COMPANION_MEDIA_FETCH_QUEUE,
    purpose:
      "Media URLs of new companions ({companionId, projectId, orgId, kind, url}), fetched by the guarded fetcher into the companion's incoming path; and deadline checks of media awaiting a client's upload ({companionId, projectId, orgId, kind, uploadDeadline}), hidden until the deadline, which reject a medium still awaiting its file with UploadExpired.",
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
    name: SESSION_EVENTS_QUEUE,
    purpose:
      'Session events ({eventId, type: started|activity|closed, projectId, sessionId, at, closeReason?}) from the activity call and from an external media tier; the queue-triggered owner of session state applies them.',
  },
  {
    name: poisonQueueOf(SESSION_EVENTS_QUEUE),
    purpose: 'Session events that failed on every try (the sweeper still closes the session when it is due).',
  },
  {
    name: FUNCTION_CALL_TIMEOUTS_QUEUE,
    purpose:
      'Timeout checks of turns waiting for implicit function outputs ({projectId, sessionId, pendingTurnId}), each hidden until the wait\'s last deadline; unanswered calls become function_call_timeout and the turn resumes.',
  },
  {
    name: poisonQueueOf(FUNCTION_CALL_TIMEOUTS_QUEUE),
    purpose: 'Timeout checks that failed on every try (the session is left waiting until its next message settles the wait).',
  },
  {
    name: SESSION_MEMORY_QUEUE,
    purpose:
      "Memory extraction jobs ({projectId, sessionId}), one per closed session with an externalClientId and a transcript; the job merges the session's facts and summary into the person's client-memories record.",
  },
  {
    name: poisonQueueOf(SESSION_MEMORY_QUEUE),
    purpose: 'Memory extraction jobs that failed on every try (the session is then not remembered; its transcript is unchanged).',
  },
  {
    name: USAGE_EVENTS_QUEUE,
    purpose:
      "Sessions whose usage to record ({projectId, sessionId, reason: closed|hourly}): one per close, and one per open session at each UTC hour boundary; the function derives the session's per-hour contributions from the stored session, so repeats and reordering change nothing.",
  },
  {
    name: poisonQueueOf(USAGE_EVENTS_QUEUE),
    purpose: 'Usage messages that failed on every try (the submission settles every hour from the sessions themselves before submitting it).',
  },
  {
    name: PROJECT_DELETIONS_QUEUE,
    purpose:
      "Projects an admin deleted ({orgId, projectId}), already marked deleting and without API keys: the function deletes the project's sessions, agents, functions, FAQs, knowledge bases, companions and webhook, then the project; repeats are harmless.",
  },
  {
    name: poisonQueueOf(PROJECT_DELETIONS_QUEUE),
    purpose: 'Project deletions that failed on every try: logged; the project stays marked and the hourly project-deletion sweep finishes it.',
  },
  {
    name: BLOB_TRIGGER_POISON_QUEUE,
    purpose: 'Blobs whose blob-triggered function failed on every try, reported by the Functions host; an unchecked media file rejects its medium (MediaCheckFailed), an uningested knowledge file fails (IngestionFailed).',
  },
] as const satisfies readonly QueueDefinition[];

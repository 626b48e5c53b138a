import type { KnowledgeFile, KnowledgeFileSource } from './knowledge-file.js';

/** Long enough to send 50 MB over a slow uplink, short enough that a leaked URL is soon useless. */
export const KNOWLEDGE_UPLOAD_URL_LIFETIME_MS = 15 * 60 * 1000;

/**
 * How long after a file is recorded its bytes land when nothing goes wrong, by the way they arrive:
 * - an upload URL works until it expires;
 * - sent bytes are written by the request that sent them, which the function timeout (host.json, 10 minutes) ends;
 * - a URL is fetched by the `knowledge-file-fetch` queue: five tries of at most 120 s each, 30 s apart, an hour
 *   leaving room for a queue that is behind.
 */
const LANDING_WINDOW_MS: Readonly<Record<KnowledgeFileSource['kind'], number>> = {
  uploadUrl: KNOWLEDGE_UPLOAD_URL_LIFETIME_MS,
  multipart: 10 * 60 * 1000,
  url: 60 * 60 * 1000,
};

/**
 * Waited on top of each window before a file counts as abandoned: a PUT that started just before its URL expired is
 * still sending (storage checks the SAS when the request starts), and this host's clock and storage's may disagree.
 */
export const KNOWLEDGE_LANDING_GRACE_MS = 15 * 60 * 1000;

/** The moment (epoch ms) after which a file still `uploading` will not receive its bytes any more. */
export function landingDeadlineOf(file: Pick<KnowledgeFile, 'createdAt' | 'source'>): number {
  return Date.parse(file.createdAt) + LANDING_WINDOW_MS[file.source.kind] + KNOWLEDGE_LANDING_GRACE_MS;
}

/** No file, whatever its source, is abandoned sooner than this after it was recorded. */
export const SHORTEST_LANDING_WAIT_MS = Math.min(...Object.values(LANDING_WINDOW_MS)) + KNOWLEDGE_LANDING_GRACE_MS;

import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ClientMemory } from './session-assembly.js';

/**
 * What the service remembers of the person behind an `externalClientId`, for one companion of one project: facts
 * and short summaries taken from that person's closed sessions, each tagged with the session it came from, so that
 * deleting a session removes exactly what it contributed, and extracting a session again replaces its contribution
 * instead of adding to it (queue jobs run at least once).
 */

/** Facts kept per person and companion; beyond it the oldest go (the newest describe the person best). */
export const MAX_MEMORY_FACTS = 50;
/** Facts one session may contribute: a long conversation must not push out everything learned before it. */
export const MAX_FACTS_PER_SESSION = 20;
export const MAX_FACT_CHARS = 300;
export const MAX_SUMMARY_CHARS = 500;
/**
 * Summaries kept, newest first shown: the latest is what the assembly gives the model; the earlier ones stand in
 * when the latest session is deleted, so a deletion removes only what that session said.
 */
export const MAX_MEMORY_SUMMARIES = 5;

export interface MemoryFact {
  readonly text: string;
  /** Every session that said it, in merge order: the fact stays while one of them does. */
  readonly sessionIds: readonly string[];
}

export interface MemorySummary {
  readonly text: string;
  readonly sessionId: string;
  /** When that session closed (ISO 8601). */
  readonly at: string;
}

/** A session whose contribution the record holds, with its close time (which orders facts and summaries). */
export interface MemorySession {
  readonly sessionId: string;
  readonly at: string;
}

export interface ClientMemoryRecord {
  readonly projectId: string;
  readonly companionId: string;
  readonly externalClientId: string;
  /**
   * Oldest first (by the newest session that said each), at most MAX_MEMORY_FACTS, no two equal ignoring case,
   * spacing and end punctuation.
   */
  readonly facts: readonly MemoryFact[];
  /** Newest first, at most MAX_MEMORY_SUMMARIES. */
  readonly summaries: readonly MemorySummary[];
  /** The sessions that still contribute a fact or a summary, in merge order. */
  readonly sessions: readonly MemorySession[];
  readonly updatedAt: string;
  readonly etag: string;
}

export type NewClientMemoryRecord = Omit<ClientMemoryRecord, 'etag'>;

/** What one session gives the memory: whatever its extraction found (possibly nothing). */
export interface SessionContribution {
  readonly sessionId: string;
  /** When the session closed. */
  readonly at: string;
  readonly summary?: string | undefined;
  readonly facts: readonly string[];
}

export interface ClientMemoryKey {
  readonly projectId: string;
  readonly companionId: string;
  readonly externalClientId: string;
}

/**
 * The memory document's id, from the companion and the person (the project is its partition). Companion ids and
 * external client ids are both `[A-Za-z0-9_-]`, so the `.` separator cannot be forged; anything else is hashed.
 */
export function clientMemoryId(companionId: string, externalClientId: string): string {
  const safe = /^[A-Za-z0-9_-]{1,100}$/;
  if (safe.test(companionId) && safe.test(externalClientId)) return `mem.${companionId}.${externalClientId}`;
  return `mem.sha256.${createHash('sha256').update(`${companionId}\u0000${externalClientId}`).digest('hex')}`;
}

/** One line, trimmed, cut at a word with an ellipsis when longer than `max`. */
export function boundedText(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.lastIndexOf(' ', max - 1);
  return `${flat.slice(0, cut > max / 2 ? cut : max - 1).trimEnd()}…`;
}

/** The form two facts are compared in: case, spacing and end punctuation do not make a fact new. */
export function factIdentity(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[\s.!;,…]+$/u, '')
    .trim();
}

const EMAIL_ADDRESS = /[^\s@<>()"']+@[^\s@<>()"']+\.[A-Za-z]{2,}/g;
/** A run of digits and separators with at least 9 digits: phone, card and account numbers (dates have 8 at most). */
const LONG_NUMBER = /\+?\d[\d\s()./-]{7,}\d/g;

function isLongNumber(run: string): boolean {
  return (run.match(/\d/g) ?? []).length >= 9;
}

/** Whether the text holds an e-mail address or a long number (phone, card, account): memory never keeps those. */
export function containsContactDetails(text: string): boolean {
  return (text.match(EMAIL_ADDRESS) ?? []).length > 0 || (text.match(LONG_NUMBER) ?? []).some(isLongNumber);
}

/** The text with e-mail addresses and long numbers blanked out, for summaries (a fact holding one is dropped). */
export function withoutContactDetails(text: string): string {
  return text.replace(EMAIL_ADDRESS, '[e-mail]').replace(LONG_NUMBER, (run) => (isLongNumber(run) ? '[number]' : run));
}

/**
 * A session's facts as they are kept: one line each, bounded, non-empty, first of equals kept, at most the session
 * cap, and none holding an e-mail address or a phone, card or account number, whoever extracted them.
 */
export function normalizeFacts(facts: readonly string[]): string[] {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const raw of facts) {
    const text = boundedText(raw, MAX_FACT_CHARS);
    const identity = factIdentity(text);
    if (identity === '' || seen.has(identity) || containsContactDetails(text)) continue;
    seen.add(identity);
    kept.push(text);
    if (kept.length === MAX_FACTS_PER_SESSION) break;
  }
  return kept;
}

export function emptyClientMemory(key: ClientMemoryKey, now: Date): NewClientMemoryRecord {
  return {
    projectId: key.projectId,
    companionId: key.companionId,
    externalClientId: key.externalClientId,
    facts: [],
    summaries: [],
    sessions: [],
    updatedAt: now.toISOString(),
  };
}

/** Whether the record holds nothing any more (and so is deleted rather than kept). */
export function isEmptyClientMemory(record: Pick<ClientMemoryRecord, 'facts' | 'summaries'>): boolean {
  return record.facts.length === 0 && record.summaries.length === 0;
}

export function hasContributionOf(record: Pick<ClientMemoryRecord, 'facts' | 'summaries' | 'sessions'>, sessionId: string): boolean {
  return (
    record.sessions.some((s) => s.sessionId === sessionId) ||
    record.facts.some((fact) => fact.sessionIds.includes(sessionId)) ||
    record.summaries.some((summary) => summary.sessionId === sessionId)
  );
}

/** The sessions that contributed to the record, in merge order. */
export function contributingSessionIds(record: Pick<ClientMemoryRecord, 'sessions'>): string[] {
  return record.sessions.map((s) => s.sessionId);
}

/** Code-unit order of ISO timestamps is time order. */
function compareTimes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Puts the parts back in order and within bounds: facts by the close time of the newest session that said them
 * (equal times keep their order: the sort is stable) with the newest MAX_MEMORY_FACTS kept, summaries newest first,
 * and only the sessions that still contribute something listed.
 */
function settle<R extends NewClientMemoryRecord>(
  record: R,
  facts: readonly MemoryFact[],
  summaries: readonly MemorySummary[],
  sessions: readonly MemorySession[],
  now: Date,
): R {
  const timeOf = new Map(sessions.map((s) => [s.sessionId, s.at]));
  const newest = (fact: MemoryFact) => fact.sessionIds.map((id) => timeOf.get(id) ?? '').reduce((a, b) => (a > b ? a : b), '');
  const keptFacts = [...facts].sort((a, b) => compareTimes(newest(a), newest(b))).slice(-MAX_MEMORY_FACTS);
  const keptSummaries = [...summaries].sort((a, b) => compareTimes(b.at, a.at)).slice(0, MAX_MEMORY_SUMMARIES);
  const holding = new Set([...keptFacts.flatMap((f) => f.sessionIds), ...keptSummaries.map((s) => s.sessionId)]);
  return {
    ...record,
    facts: keptFacts,
    summaries: keptSummaries,
    sessions: sessions.filter((s) => holding.has(s.sessionId)),
    updatedAt: now.toISOString(),
  };
}

/**
 * The record without anything the session contributed: its summary, its facts that no other session also said, and
 * its place among the contributing sessions. Removing a session that contributed nothing changes only `updatedAt`.
 */
export function removeSessionContribution<R extends NewClientMemoryRecord>(record: R, sessionId: string, now: Date): R {
  const facts = record.facts
    .map((fact) => ({ ...fact, sessionIds: fact.sessionIds.filter((id) => id !== sessionId) }))
    .filter((fact) => fact.sessionIds.length > 0);
  const summaries = record.summaries.filter((summary) => summary.sessionId !== sessionId);
  const sessions = record.sessions.filter((s) => s.sessionId !== sessionId);
  return settle(record, facts, summaries, sessions, now);
}

/**
 * The record with the session's contribution in place of any earlier one of the same session, so merging the same
 * extraction twice gives the same record. A fact the record already holds (compared by factIdentity) gains the
 * session as one more source, in the session's wording, and moves to the newest place if this session is the
 * newest to say it; deleting either session then keeps it as long as the other still says it.
 */
export function mergeSessionContribution<R extends NewClientMemoryRecord>(record: R, contribution: SessionContribution, now: Date): R {
  const without = removeSessionContribution(record, contribution.sessionId, now);
  const facts = [...without.facts];
  for (const text of normalizeFacts(contribution.facts)) {
    const identity = factIdentity(text);
    const index = facts.findIndex((fact) => factIdentity(fact.text) === identity);
    const existing = index >= 0 ? facts[index] : undefined;
    if (existing === undefined) {
      facts.push({ text, sessionIds: [contribution.sessionId] });
    } else {
      facts[index] = { text, sessionIds: [...existing.sessionIds, contribution.sessionId] };
    }
  }
  const summaryText = boundedText(withoutContactDetails(contribution.summary ?? ''), MAX_SUMMARY_CHARS);
  const summaries =
    summaryText === '' ? without.summaries : [...without.summaries, { text: summaryText, sessionId: contribution.sessionId, at: contribution.at }];
  const sessions = [...without.sessions, { sessionId: contribution.sessionId, at: contribution.at }];
  return settle(without, facts, summaries, sessions, now);
}

/** What the session assembly is given: the latest summary and the facts, oldest first (the newest read last). */
export function clientMemoryOf(record: Pick<ClientMemoryRecord, 'facts' | 'summaries'>): ClientMemory {
  const latest = record.summaries[0];
  return {
    ...(latest === undefined ? {} : { summary: latest.text }),
    facts: record.facts.map((fact) => fact.text),
  };
}

/** The storage of memory records: one per (project, companion, externalClientId), in the project's partition. */
export interface ClientMemoryRepository {
  get(key: ClientMemoryKey): Promise<ClientMemoryRecord | undefined>;
  /**
   * Writes the record when the stored one is still `expectedEtag`, or, with undefined, when none is stored yet (create
   * only); otherwise rejects with PreconditionFailedError, so the caller reads again and retries.
   */
  put(record: NewClientMemoryRecord, expectedEtag: string | undefined): Promise<ClientMemoryRecord>;
  /** Deletes the record when the stored ETag is still the one given; deleting what is gone succeeds. */
  delete(key: ClientMemoryKey, expectedEtag: string): Promise<void>;
}

/** The message of the `session-memory` queue: which closed session to extract memory from. */
export const memoryExtractionJobSchema = z.strictObject({
  projectId: z.string().min(1).max(100),
  sessionId: z.string().min(1).max(100),
});
export type MemoryExtractionJob = z.infer<typeof memoryExtractionJobSchema>;

export interface MemoryExtractionQueue {
  send(job: MemoryExtractionJob): Promise<void>;
}

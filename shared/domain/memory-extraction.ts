import type { StoredLlmConfig } from './llm-config.js';
import type { TranscriptEntry } from './session.js';

/**
 * The port that turns a closed session's transcript into what is remembered of the person: a short summary of the
 * conversation and durable facts about the person (not about the agent, the company or the conversation's errands).
 * Two implementations: by the session's chat model when its key has one, and extractively (no model) otherwise.
 */

/** What an extractor reads: the transcript, and what picks the chat model (the session's key and its hosting). */
export interface MemorySource {
  readonly projectId: string;
  readonly sessionId: string;
  readonly keyId: string;
  readonly hosting: StoredLlmConfig['hosting'];
  /** The agent's language (ISO 639-1), when it sets one. */
  readonly language?: string | undefined;
  readonly transcript: readonly TranscriptEntry[];
}

export interface ExtractedMemory {
  readonly summary?: string | undefined;
  readonly facts: readonly string[];
  /** How it was made: `llm`, or `extractive` (no model, or the model's answer was unusable). */
  readonly method: 'llm' | 'extractive';
}

export interface MemoryExtractor {
  extract(source: MemorySource): Promise<ExtractedMemory>;
}

/** The user's and the assistant's words, in order: system notes and tool traffic are not the conversation. */
export function conversationOf(transcript: readonly TranscriptEntry[]): { role: 'user' | 'assistant'; text: string }[] {
  const lines: { role: 'user' | 'assistant'; text: string }[] = [];
  for (const entry of transcript) {
    if (entry.role !== 'user' && entry.role !== 'assistant') continue;
    const text = entry.text.trim();
    if (text !== '') lines.push({ role: entry.role, text });
  }
  return lines;
}

/** Whether a transcript has anything to remember: at least one non-empty message of the user. */
export function hasUserWords(transcript: readonly TranscriptEntry[]): boolean {
  return transcript.some((entry) => entry.role === 'user' && entry.text.trim() !== '');
}

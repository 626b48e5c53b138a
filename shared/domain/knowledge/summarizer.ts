import type { Chunk } from './chunking.js';

export interface SummaryRequest {
  readonly fileName: string;
  readonly title?: string | undefined;
  /** The file's chunks in document order. */
  readonly chunks: readonly Chunk[];
}

/**
 * A short description of a file for people and for an agent deciding where to look: by the chat deployment when one
 * is configured, extractive otherwise.
 */
export interface Summarizer {
  summarize(request: SummaryRequest): Promise<string>;
}

/** About three sentences: enough to tell files apart in a list, short enough for an agent's instructions. */
export const SUMMARY_TARGET_CHARS = 400;

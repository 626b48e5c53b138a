import { z } from 'zod';
import { BadRequestError } from './errors.js';

/**
 * FAQ collections (seed `faq.txt`): question-answer pairs an agent answers from directly when a user's question
 * matches one (see faq-matching.ts). A collection belongs to one project and holds at most MAX_FAQ_ITEMS pairs.
 */

export const MAX_FAQ_ITEMS = 50;

export const faqNameSchema = z.string().trim().min(1).max(200);
export const faqQuestionSchema = z.string().trim().min(1).max(1000);
export const faqAnswerSchema = z.string().trim().min(1).max(4000);

/** A question's vector from the platform's embedding deployment, with the deployment that made it. */
export interface QuestionEmbedding {
  readonly model: string;
  readonly vector: readonly number[];
}

export interface FaqItem {
  readonly id: string;
  readonly question: string;
  readonly answer: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Set when an embedding deployment is configured; dropped whenever the question changes. */
  readonly questionEmbedding?: QuestionEmbedding | undefined;
}

export interface FaqCollection {
  readonly id: string;
  readonly projectId: string;
  readonly orgId: string;
  readonly name: string;
  readonly items: FaqItem[];
  readonly created: string;
  readonly updated: string;
  readonly etag: string;
}

export type NewFaqCollection = Omit<FaqCollection, 'etag'>;

export class FaqLimitExceededError extends BadRequestError {
  constructor(readonly requested: number) {
    super(
      'FaqLimitExceeded',
      `An FAQ collection holds at most ${MAX_FAQ_ITEMS} question-answer pairs; this change would make it ${requested}.`,
    );
  }
}

/** Every write that adds pairs checks the count it would leave, so no path can pass the limit. */
export function checkFaqItemCount(count: number): void {
  if (count > MAX_FAQ_ITEMS) throw new FaqLimitExceededError(count);
}

import { z } from 'zod';
import { faqAnswerSchema, faqNameSchema, faqQuestionSchema, MAX_FAQ_ITEMS } from '../../domain/faq.js';
import { etagField, idParam, timestamp } from './common.js';

export const faqPathParams = z.strictObject({ id: idParam('FAQ collection id') });
export const faqItemPathParams = z.strictObject({ id: idParam('FAQ collection id'), itemId: idParam('question-answer pair id') });

/**
 * Lists of pairs are bounded here only to keep bodies sane; the rule of at most MAX_FAQ_ITEMS pairs is the domain's,
 * so that exceeding it answers FaqLimitExceeded rather than a generic validation problem.
 */
const MAX_PAIRS_IN_BODY = 1000;

const faqPair = z.strictObject({ question: faqQuestionSchema, answer: faqAnswerSchema });

export const createFaqBody = z.strictObject({
  name: faqNameSchema,
  faqs: z
    .array(faqPair)
    .max(MAX_PAIRS_IN_BODY)
    .optional()
    .describe(`the question-answer pairs, at most ${MAX_FAQ_ITEMS} (else 400 FaqLimitExceeded)`),
});

export const updateFaqBody = z
  .strictObject({
    name: faqNameSchema.optional(),
    faqs: z
      .array(faqPair.extend({ id: idParam('an existing pair to keep (and change)').optional() }))
      .max(MAX_PAIRS_IN_BODY)
      .optional()
      .describe(`replaces all pairs (at most ${MAX_FAQ_ITEMS}); a pair with the id of an existing one keeps that id`),
  })
  .refine((b) => b.name !== undefined || b.faqs !== undefined, { message: 'give name, faqs or both' });

export const createFaqItemBody = faqPair;

export const updateFaqItemBody = z
  .strictObject({ question: faqQuestionSchema.optional(), answer: faqAnswerSchema.optional() })
  .refine((b) => b.question !== undefined || b.answer !== undefined, { message: 'give question, answer or both' });

const faqItemResponse = z.object({
  id: z.string(),
  question: z.string(),
  answer: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/** The collection of API.md; its ETag covers the pairs too, so If-Match on a pair's route takes it. */
export const faqCollectionResponse = z.object({
  id: z.string(),
  name: z.string(),
  created: timestamp,
  updated: timestamp,
  items: z.array(faqItemResponse),
  etag: etagField,
});

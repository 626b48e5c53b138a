import { z } from 'zod';
import { DEFAULT_SEARCH_TOP, MAX_SEARCH_TOP } from '../../domain/knowledge/knowledge-passage.js';

export const knowledgeSearchBody = z.strictObject({
  query: z.string().trim().min(1).max(2000).describe('a question or keywords'),
  top: z.number().int().min(1).max(MAX_SEARCH_TOP).default(DEFAULT_SEARCH_TOP).describe(`passages to return, 1-${MAX_SEARCH_TOP}`),
});

export const knowledgeSearchResponse = z.object({
  results: z.array(
    z.object({
      fileId: z.string(),
      fileName: z.string(),
      text: z.string().describe('the passage'),
      score: z.number().describe('higher is better; comparable within one response only'),
      page: z.number().int().optional().describe('the page the passage is on (pdf)'),
      section: z.string().optional().describe('the heading path of the passage, e.g. "Billing > Refunds"'),
    }),
  ),
});

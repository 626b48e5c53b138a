import { z } from 'zod';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../domain/page.js';

/** Paging query parameters (API.md, Lists). Extend it with a route's own filters. */
export const pageQueryShape = {
  pageIndex: z.coerce.number().int().min(0).max(1_000_000).default(0).describe('0-based page number'),
  pageSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .describe(`items per page, at most ${MAX_PAGE_SIZE}`),
};

export const pageQuerySchema = z.strictObject(pageQueryShape);

/** `{items, filteredCount, totalCount, pageIndex, pageSize}` for a list of `item`. */
export function pageResponseSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    filteredCount: z.number().int().describe('items matching the filters'),
    totalCount: z.number().int().describe('items in scope before filtering'),
    pageIndex: z.number().int(),
    pageSize: z.number().int(),
  });
}

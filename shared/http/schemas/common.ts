import { z } from 'zod';
import { quoteEtag } from '../../domain/etag.js';
import { ID_PATTERN } from '../../domain/ids.js';

/** An opaque id in a URL; anything else cannot name a resource, so it is refused before any lookup. */
export const idParam = (description: string) =>
  z.string().regex(ID_PATTERN, 'is not a valid id').describe(description);

/** Resources show their ETag in the body exactly as in the ETag header (quoted), so either can go into If-Match. */
export const etagField = z.string().overwrite(quoteEtag).describe('send in If-Match to change only this version');

export const timestamp = z.string().describe('ISO 8601 UTC');

/**
 * A query parameter that takes several values: repeated (`a=x&a=y`), bracketed (`a[]=x&a[]=y`), or, with
 * `commaSeparated`, as one comma-separated value (`a=x,y`).
 */
export const listQueryParam = <T extends z.ZodType<unknown, string>>(item: T, maxItems: number, commaSeparated: boolean) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((value) =>
      (Array.isArray(value) ? value : [value])
        .flatMap((v) => (commaSeparated ? v.split(',') : [v]))
        .map((v) => v.trim())
        .filter((v) => v !== ''),
    )
    .pipe(z.array(item).max(maxItems));

import type { PageRequest } from '../../domain/page.js';

/**
 * Paging by `SELECT TOP n ... ORDER BY`, then skipping in memory. The local Cosmos server does not parse
 * OFFSET/LIMIT, and in Cosmos DB an OFFSET costs about as much as reading the skipped rows anyway; lists paged this
 * way are management lists with small page indexes.
 */
export function topNeededFor(page: PageRequest): number {
  return (page.pageIndex + 1) * page.pageSize;
}

export function pageSlice<T>(rows: readonly T[], page: PageRequest): T[] {
  const start = page.pageIndex * page.pageSize;
  return rows.slice(start, start + page.pageSize);
}

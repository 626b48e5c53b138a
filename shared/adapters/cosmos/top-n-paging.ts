import type { SqlParameter } from '@azure/cosmos';
import type { Page, PageRequest } from '../../domain/page.js';
import type { CountedContainer, StoredDocument } from './counted-container.js';

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

/**
 * One page of the documents matching `where` in one partition, newest first by `orderBy`, with the match count: the
 * list query of every management list.
 */
export async function listPageNewestFirst<T>(
  container: CountedContainer,
  request: {
    readonly where: string;
    readonly parameters: readonly SqlParameter[];
    readonly partitionKey: string;
    readonly orderBy: 'created' | 'createdAt';
    readonly page: PageRequest;
  },
  map: (document: StoredDocument) => T,
): Promise<Page<T>> {
  const { where, parameters, partitionKey, orderBy, page } = request;
  const [rows, total] = await Promise.all([
    container.query(
      {
        query: `SELECT TOP @top * FROM c WHERE ${where} ORDER BY c.${orderBy} DESC`,
        parameters: [...parameters, { name: '@top', value: topNeededFor(page) }],
      },
      partitionKey,
    ),
    container.count({ query: `SELECT VALUE COUNT(1) FROM c WHERE ${where}`, parameters: [...parameters] }, partitionKey),
  ]);
  return {
    items: pageSlice(rows, page).map(map),
    filteredCount: total,
    totalCount: total,
    pageIndex: page.pageIndex,
    pageSize: page.pageSize,
  };
}

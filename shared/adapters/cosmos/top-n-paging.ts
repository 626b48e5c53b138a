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

export interface WhereClause {
  readonly where: string;
  readonly parameters: readonly SqlParameter[];
}

/**
 * One page of the documents matching `filtered` in one partition, newest first by `orderBy`, with `filteredCount`
 * and `totalCount` (the documents matching `all`; counted once when no filter narrows it): the list query of every
 * list. `select` names the fields to read (all by default).
 */
export async function listFilteredPageNewestFirst<T>(
  container: CountedContainer,
  request: {
    readonly filtered: WhereClause;
    readonly all: WhereClause;
    readonly partitionKey: string;
    readonly orderBy: 'created' | 'createdAt';
    readonly select?: readonly string[];
    readonly page: PageRequest;
  },
  map: (document: StoredDocument) => T,
): Promise<Page<T>> {
  const { filtered, all, partitionKey, orderBy, page } = request;
  const fields = request.select === undefined ? '*' : request.select.map((field) => `c.${field}`).join(', ');
  const unfiltered = filtered.where === all.where && filtered.parameters.length === all.parameters.length;
  const count = (clause: WhereClause) =>
    container.count({ query: `SELECT VALUE COUNT(1) FROM c WHERE ${clause.where}`, parameters: [...clause.parameters] }, partitionKey);
  const [rows, filteredCount, totalCount] = await Promise.all([
    container.query(
      {
        query: `SELECT TOP @top ${fields} FROM c WHERE ${filtered.where} ORDER BY c.${orderBy} DESC`,
        parameters: [...filtered.parameters, { name: '@top', value: topNeededFor(page) }],
      },
      partitionKey,
    ),
    count(filtered),
    unfiltered ? undefined : count(all),
  ]);
  return {
    items: pageSlice(rows, page).map(map),
    filteredCount,
    totalCount: totalCount ?? filteredCount,
    pageIndex: page.pageIndex,
    pageSize: page.pageSize,
  };
}

/** `listFilteredPageNewestFirst` for a list without filters: every match is in scope. */
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
  const clause = { where: request.where, parameters: request.parameters };
  return listFilteredPageNewestFirst(
    container,
    { filtered: clause, all: clause, partitionKey: request.partitionKey, orderBy: request.orderBy, page: request.page },
    map,
  );
}

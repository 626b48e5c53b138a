/** A page request as API.md defines lists: 0-based `pageIndex`, `pageSize` between 1 and 100. */
export interface PageRequest {
  readonly pageIndex: number;
  readonly pageSize: number;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** One page of a list. `filteredCount` counts what matches the filters, `totalCount` everything in scope. */
export interface Page<T> {
  readonly items: T[];
  readonly filteredCount: number;
  readonly totalCount: number;
  readonly pageIndex: number;
  readonly pageSize: number;
}

/** Pages a list that is already in memory (small, bounded lists such as an organization's members). */
export function pageOfArray<T>(all: readonly T[], page: PageRequest): Page<T> {
  const start = page.pageIndex * page.pageSize;
  return {
    items: all.slice(start, start + page.pageSize),
    filteredCount: all.length,
    totalCount: all.length,
    pageIndex: page.pageIndex,
    pageSize: page.pageSize,
  };
}

export function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  return { ...page, items: page.items.map(map) };
}

import { describe, expect, it } from 'vitest';
import { pageOfArray } from '../../../shared/domain/page.js';
import { pageQuerySchema } from '../../../shared/http/pagination.js';
import { queryObjectOf } from '../../../shared/http/query-params.js';

const parse = (query: string) => pageQuerySchema.safeParse(queryObjectOf(new URLSearchParams(query)));

describe('pagination', () => {
  it('defaults to page 0 of 20', () => {
    expect(parse('').data).toEqual({ pageIndex: 0, pageSize: 20 });
  });

  it('accepts a page size up to 100 and refuses more', () => {
    expect(parse('pageSize=100&pageIndex=3').data).toEqual({ pageIndex: 3, pageSize: 100 });
    expect(parse('pageSize=101').success).toBe(false);
    expect(parse('pageSize=0').success).toBe(false);
    expect(parse('pageIndex=-1').success).toBe(false);
    expect(parse('pageIndex=abc').success).toBe(false);
    expect(parse('pageSize=1.5').success).toBe(false);
  });

  it('refuses unknown query parameters', () => {
    expect(parse('pagesize=10').success).toBe(false);
  });

  it('slices a list into the page and counts it', () => {
    const all = Array.from({ length: 45 }, (_, i) => i);
    expect(pageOfArray(all, { pageIndex: 2, pageSize: 20 })).toEqual({
      items: [40, 41, 42, 43, 44],
      filteredCount: 45,
      totalCount: 45,
      pageIndex: 2,
      pageSize: 20,
    });
    expect(pageOfArray(all, { pageIndex: 9, pageSize: 20 }).items).toEqual([]);
  });

  it('reads repeated and name[] query parameters as arrays, and never as the prototype', () => {
    expect(queryObjectOf(new URLSearchParams('a=1&a=2&b[]=x&c=3'))).toEqual({ a: ['1', '2'], b: ['x'], c: '3' });
    const hostile = queryObjectOf(new URLSearchParams('__proto__=x'));
    expect(Object.getPrototypeOf(hostile)).toBe(Object.prototype);
    expect(Object.keys(hostile)).toEqual(['__proto__']);
  });
});

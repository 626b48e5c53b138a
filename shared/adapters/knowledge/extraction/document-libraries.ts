import type * as CsvParseSync from 'csv-parse/sync';
import type * as EntitiesDecode from 'entities/decode';
import type * as HtmlParser2 from 'htmlparser2';
import type mammoth from 'mammoth';
import type * as Marked from 'marked';
import type * as Unpdf from 'unpdf';

/**
 * The document libraries, imported on first use. PDF.js (through unpdf, which bundles a worker-free build) costs about
 * 55 ms to load and mammoth about 60 ms; a function app would otherwise pay that on every cold start, including for
 * functions that never read a document. A failed import is forgotten so that the next call tries again.
 */

type UnpdfModule = typeof Unpdf;
type MammothModule = typeof mammoth;
type HtmlParserModule = typeof HtmlParser2;
type CsvParseModule = typeof CsvParseSync;
type MarkedModule = typeof Marked;
type EntitiesModule = typeof EntitiesDecode;

function lazily<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    return loading;
  };
}

export const loadUnpdf = lazily<UnpdfModule>(() => import('unpdf'));

// mammoth is CommonJS: its API is the default export.
export const loadMammoth = lazily<MammothModule>(async () => (await import('mammoth')).default);

export const loadHtmlParser = lazily<HtmlParserModule>(() => import('htmlparser2'));

export const loadCsvParse = lazily<CsvParseModule>(() => import('csv-parse/sync'));

export const loadMarked = lazily<MarkedModule>(() => import('marked'));

export const loadEntities = lazily<EntitiesModule>(() => import('entities/decode'));

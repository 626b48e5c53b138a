import { endianness } from 'node:os';
import { z } from 'zod';
import { CHUNK_OVERLAP_MARK } from '../../domain/knowledge/chunking.js';
import type { IndexedChunk } from '../../domain/knowledge/knowledge-index.js';
import { chunkIdOf } from '../knowledge/knowledge-chunk-store.js';
import {
  chunkPageIdOf,
  packChunkPages,
  type ChunkPageLimits,
  type KnowledgeChunkPageStore,
  type StoredChunk,
} from '../knowledge/knowledge-chunk-pages.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';
import { forEachConcurrently } from './for-each-concurrently.js';
import { chunkOfDocument } from './knowledge-chunk-repository.js';

const CONTAINER = 'knowledge-chunks';

/**
 * Cosmos DB takes items of up to 2 MB, counted on its own representation with system properties: half of that leaves
 * room for both, about 110 chunks with 1,536-dimension embeddings or 800 without. The chunk cap only matters for tiny
 * chunks (a file of short sections), whose array entries would otherwise run into the thousands per item.
 */
export const DEFAULT_CHUNK_PAGE_LIMITS: ChunkPageLimits = { maxPageBytes: 1024 * 1024, maxChunksPerPage: 1000 };

/** Pages in flight at once: each is up to a megabyte, so a few hide the round trips without a burst of RUs. */
const WRITE_CONCURRENCY = 4;

/**
 * Documents per query page on a load. Cosmos caps a response at 4 MB, so pages come a few at a time whatever this
 * says; per-chunk documents of an earlier format come a thousand at a time, as they always did.
 */
const LOAD_PAGE_SIZE = 1000;

const BIG_ENDIAN = endianness() === 'BE';

/** Embeddings are stored as base64 of little-endian float32: a quarter of the JSON numbers' size, parsed in one step. */
export function encodeEmbedding(values: readonly number[]): string {
  const floats = Float32Array.from(values);
  for (const value of floats) {
    // A finite number beyond float32's range becomes Infinity, which would poison the normalised vector.
    if (!Number.isFinite(value)) throw new RangeError('an embedding value is out of float32 range');
  }
  const bytes = Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
  if (BIG_ENDIAN) bytes.swap32();
  return bytes.toString('base64');
}

function decodedLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}

/** The embedding as written by encodeEmbedding, or undefined when the text is not that (corruption, not data). */
export function decodeEmbedding(base64: string): Float32Array | undefined {
  if (base64.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(base64, 'base64');
  // Node skips characters outside the alphabet instead of failing: a short result is how they show.
  if (bytes.length % 4 !== 0 || bytes.length !== decodedLength(base64)) return undefined;
  if (BIG_ENDIAN) bytes.swap32();
  // A copy rather than a view: a small Buffer sits in Node's shared pool at an offset Float32Array may not start at.
  const floats = new Float32Array(bytes.length / 4);
  new Uint8Array(floats.buffer).set(bytes);
  return floats;
}

const pageChunk = z.object({
  index: z.number().int().nonnegative(),
  text: z.string(),
  /** Set when `text` leaves out the overlap: the chunk's text starts with this many characters of the previous one's. */
  overlap: z.number().int().positive().optional(),
  sectionRef: z.number().int().nonnegative().optional(),
  page: z.number().int().positive().optional(),
  section: z.string().optional(),
  embedding: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const decoded = decodeEmbedding(value);
      if (decoded === undefined) ctx.addIssue({ code: 'custom', message: 'must be base64 of float32 values' });
      return decoded;
    }),
});

/**
 * A page as stored, its chunks restored: the overlap each from the chunk before it on the page, the section from the
 * page's list of sections. Pages written before either was shared hold every chunk's whole text and its section.
 */
const pageDocument = z
  .object({
    id: z.string(),
    kind: z.literal('chunkPage'),
    baseId: z.string(),
    projectId: z.string(),
    fileId: z.string(),
    /** The distinct sections of the page's chunks, which name theirs by position (`sectionRef`). */
    sections: z.array(z.string()).optional(),
    chunks: z.array(pageChunk),
  })
  .transform(({ sections, chunks: stored, ...page }, ctx) => {
    let previous: string | undefined;
    const chunks = stored.map(({ overlap, sectionRef, ...chunk }, i) => {
      if (overlap !== undefined) {
        if (previous === undefined || overlap > previous.length) {
          ctx.addIssue({ code: 'custom', path: ['chunks', i, 'overlap'], message: 'must follow a chunk at least that long on the same page' });
        } else {
          chunk.text = `${previous.slice(previous.length - overlap)}${CHUNK_OVERLAP_MARK}${chunk.text}`;
        }
      }
      previous = chunk.text;
      if (sectionRef !== undefined) {
        const section = sections?.[sectionRef];
        if (section === undefined) ctx.addIssue({ code: 'custom', path: ['chunks', i, 'sectionRef'], message: "must be a position in the page's sections" });
        chunk.section = section;
      }
      return chunk;
    });
    return { ...page, chunks };
  });

const idRow = z.object({ id: z.string() });

/** A chunk as a page holds it: the base, project and file are the page's, and the id follows from file and index. */
export function toPageChunk(chunk: IndexedChunk) {
  return {
    index: chunk.index,
    text: chunk.text,
    page: chunk.page,
    section: chunk.section,
    embedding: chunk.embedding === undefined ? undefined : encodeEmbedding(chunk.embedding),
  };
}

type PageChunk = ReturnType<typeof toPageChunk> & { readonly overlap?: number };

/** Characters JSON escapes other than the line feed, which chunk text is full of and which costs one byte more. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RARE_JSON_ESCAPES = /["\\\u0000-\u0009\u000b-\u001f\ud800-\udfff]/;

/** `Buffer.byteLength(JSON.stringify(text))`, without building the JSON: a file's chunks would be copied once more. */
function jsonStringBytes(text: string): number {
  if (RARE_JSON_ESCAPES.test(text)) return Buffer.byteLength(JSON.stringify(text));
  let lineFeeds = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lineFeeds += 1;
  return Buffer.byteLength(text) + 2 + lineFeeds;
}

/** The bytes of the chunk's JSON as written (`{"index":…,"text":…,"page":…,"section":…,"embedding":…}`). */
export function pageChunkBytes(chunk: ReturnType<typeof toPageChunk>): number {
  let bytes = '{"index":,"text":}'.length + String(chunk.index).length + jsonStringBytes(chunk.text);
  if (chunk.page !== undefined) bytes += ',"page":'.length + JSON.stringify(chunk.page).length;
  if (chunk.section !== undefined) bytes += ',"section":'.length + jsonStringBytes(chunk.section);
  if (chunk.embedding !== undefined) bytes += ',"embedding":""'.length + chunk.embedding.length;
  return bytes;
}

/**
 * The page's chunks as stored: a chunk that starts with the tail of the one before it on the page (the chunker's
 * overlap, `<tail> … <text>`) keeps only its own text and the tail's length, which loading restores. In prose that is
 * over a tenth of the bytes, which Cosmos DB would otherwise store, charge for and send back twice. The first chunk of
 * a page keeps its whole text, so that every page reads back on its own.
 */
function withSharedOverlap(page: readonly PageChunk[]): PageChunk[] {
  return page.map((chunk, i) => {
    const previous = page[i - 1]?.text;
    if (previous === undefined) return chunk;
    // The tail may hold the mark itself: the split is the first mark whose text before it ends the previous chunk.
    for (let mark = chunk.text.indexOf(CHUNK_OVERLAP_MARK); mark >= 0 && mark <= previous.length; mark = chunk.text.indexOf(CHUNK_OVERLAP_MARK, mark + 1)) {
      if (mark > 0 && previous.endsWith(chunk.text.slice(0, mark))) {
        return { ...chunk, text: chunk.text.slice(mark + CHUNK_OVERLAP_MARK.length), overlap: mark };
      }
    }
    return chunk;
  });
}

/**
 * The page's sections listed once, each chunk naming its own by position: consecutive chunks mostly share a long
 * heading path, which would otherwise be stored once per chunk.
 */
function withSharedSections(page: readonly PageChunk[]): { sections?: string[]; chunks: object[] } {
  const positions = new Map<string, number>();
  const chunks = page.map(({ section, ...chunk }) => {
    if (section === undefined) return chunk;
    let sectionRef = positions.get(section);
    if (sectionRef === undefined) {
      sectionRef = positions.size;
      positions.set(section, sectionRef);
    }
    return { ...chunk, sectionRef };
  });
  return positions.size === 0 ? { chunks } : { sections: [...positions.keys()], chunks };
}

function isPage(document: unknown): boolean {
  return typeof document === 'object' && document !== null && (document as { kind?: unknown }).kind === 'chunkPage';
}

/**
 * The embedded index's chunks, a file's chunks packed into pages `<fileId>:p<n>` (see KnowledgeChunkPageStore), in
 * the `knowledge-chunks` container partitioned by base (`/baseId`). Per-chunk documents in the same partition (an
 * earlier format, or the Cosmos vector index's) are loaded too, and a file's re-ingest or deletion removes them.
 */
export class CosmosKnowledgeChunkPageRepository implements KnowledgeChunkPageStore {
  readonly #limits: ChunkPageLimits;

  constructor(
    private readonly container: CountedContainer,
    limits: Partial<ChunkPageLimits> = {},
  ) {
    this.#limits = { ...DEFAULT_CHUNK_PAGE_LIMITS, ...limits };
  }

  async writeFilePages(projectId: string, baseId: string, fileId: string, chunks: readonly IndexedChunk[]): Promise<string[]> {
    // Measured as JSON, which is what Cosmos DB counts against its item limit, with the whole text and section of each
    // chunk: an upper bound of what the page stores once they are shared (the limit leaves room for a few bytes more).
    const pages = packChunkPages(chunks.map(toPageChunk), pageChunkBytes, this.#limits);
    const documents = pages.map((page, n) => ({
      id: chunkPageIdOf(fileId, n),
      kind: 'chunkPage',
      baseId,
      projectId,
      fileId,
      ...withSharedSections(withSharedOverlap(page)),
    }));
    await forEachConcurrently(documents, WRITE_CONCURRENCY, (document) => this.container.upsert(document));
    return documents.map((document) => document.id);
  }

  async documentIdsOfFile(baseId: string, fileId: string): Promise<string[]> {
    const rows = await this.container.query(
      {
        query: 'SELECT c.id FROM c WHERE c.baseId = @baseId AND c.fileId = @fileId',
        parameters: [
          { name: '@baseId', value: baseId },
          { name: '@fileId', value: fileId },
        ],
      },
      baseId,
    );
    return rows.map((row) => parseDocument(idRow, row, CONTAINER).id);
  }

  async documentIdsOfBase(baseId: string): Promise<string[]> {
    const rows = await this.container.query(
      { query: 'SELECT c.id FROM c WHERE c.baseId = @baseId', parameters: [{ name: '@baseId', value: baseId }] },
      baseId,
    );
    return rows.map((row) => parseDocument(idRow, row, CONTAINER).id);
  }

  async deleteDocuments(baseId: string, ids: readonly string[]): Promise<void> {
    await forEachConcurrently(ids, WRITE_CONCURRENCY, (id) => this.container.delete(id, baseId));
  }

  async loadBase(baseId: string): Promise<StoredChunk[]> {
    // The SDK container directly, for the page size (CountedContainer.query takes none); a load is one per base
    // and instance, not per request, so it is left out of the per-request operation count.
    const iterator = this.container.container.items.query(
      {
        query:
          'SELECT c.id, c.kind, c.baseId, c.projectId, c.fileId, c.sections, c.chunks, c.chunkIndex, c.text, c.page, c.section, c.embedding ' +
          'FROM c WHERE c.baseId = @baseId',
        parameters: [{ name: '@baseId', value: baseId }],
      },
      { partitionKey: baseId, maxItemCount: LOAD_PAGE_SIZE },
    );
    const chunks = new Map<string, StoredChunk>();
    const keep = (chunk: StoredChunk): void => {
      if (!chunks.has(chunk.id)) chunks.set(chunk.id, chunk);
    };
    while (iterator.hasMoreResults()) {
      const response = await iterator.fetchNext();
      for (const document of response.resources as unknown[]) {
        if (!isPage(document)) {
          keep(chunkOfDocument(document));
          continue;
        }
        const page = parseDocument(pageDocument, document, CONTAINER);
        for (const chunk of page.chunks) {
          keep({
            id: chunkIdOf(page.fileId, chunk.index),
            projectId: page.projectId,
            baseId: page.baseId,
            fileId: page.fileId,
            index: chunk.index,
            text: chunk.text,
            page: chunk.page,
            section: chunk.section,
            embedding: chunk.embedding,
          });
        }
      }
    }
    return [...chunks.values()];
  }
}

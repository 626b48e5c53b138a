import { describe, expect, it } from 'vitest';
import { decodeEmbedding, encodeEmbedding, pageChunkBytes, toPageChunk } from '../../../shared/adapters/cosmos/knowledge-chunk-page-repository.js';
import { chunkPageIdOf, packChunkPages } from '../../../shared/adapters/knowledge/knowledge-chunk-pages.js';

describe('packing a file’s chunks into pages', () => {
  it('keeps the chunks in order and fills each page up to its byte limit, counting a separator per chunk', () => {
    const sizes = [40, 40, 40, 10, 90, 5];
    const pages = packChunkPages(sizes, (size) => size, { maxPageBytes: 100, maxChunksPerPage: 10 });
    expect(pages).toEqual([[40, 40], [40, 10], [90, 5]]);
    expect(pages.flat()).toEqual(sizes);
  });

  it('starts a new page at the chunk cap even when bytes are left', () => {
    expect(packChunkPages([1, 2, 3, 4, 5], () => 1, { maxPageBytes: 1000, maxChunksPerPage: 2 })).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('makes no page of no chunks, and refuses a chunk too large for a page of its own', () => {
    expect(packChunkPages([], () => 1, { maxPageBytes: 10, maxChunksPerPage: 2 })).toEqual([]);
    expect(() => packChunkPages([1, 50], (n) => n, { maxPageBytes: 50, maxChunksPerPage: 2 })).toThrow(RangeError);
  });

  it('measures a chunk as the bytes of its JSON, whatever its text holds', () => {
    const texts = [
      'plain',
      'two paragraphs\n\nand a line\nbreak',
      'quotes " and \\ backslashes, a tab\tand a form feed\f, a NUL \u0000 and DEL \u007f',
      'Ünïcödé “quotes” … and emoji 🧾, a lone surrogate \ud800 and U+2028 \u2028',
      '',
    ];
    for (const [i, text] of texts.entries()) {
      for (const extra of [{}, { page: 12, section: 'Billing > “Refunds”\n' }, { embedding: [0.5, -1, 2] }]) {
        const chunk = toPageChunk({ id: `file_a:${i * 1000}`, projectId: 'proj_a', baseId: 'kb_a', fileId: 'file_a', index: i * 1000, text, ...extra });
        expect(pageChunkBytes(chunk), JSON.stringify(chunk)).toBe(Buffer.byteLength(JSON.stringify(chunk)));
      }
    }
  });

  it('names pages so that they never meet a per-chunk id of the same file', () => {
    expect(chunkPageIdOf('file_a', 0)).toBe('file_a:p0');
    expect(chunkPageIdOf('file_a', 12)).not.toBe('file_a:12');
  });
});

describe('embeddings stored as base64 float32', () => {
  it('come back as the float32 nearest each value, at four bytes a dimension', () => {
    const values = [0.1, -0.25, 1 / 3, 0, -1e-8, 12345.678];
    const encoded = encodeEmbedding(values);
    expect(Buffer.from(encoded, 'base64')).toHaveLength(values.length * 4);
    expect(Array.from(decodeEmbedding(encoded) ?? [])).toEqual(values.map(Math.fround));
  });

  it('decode to aligned copies whatever the length, including an empty vector', () => {
    for (const length of [0, 1, 3, 256, 1536]) {
      const values = Array.from({ length }, (_, i) => Math.sin(i));
      expect(Array.from(decodeEmbedding(encodeEmbedding(values)) ?? [1])).toEqual(values.map(Math.fround));
    }
  });

  it('refuse values beyond float32 range on the way in, and damaged text on the way out', () => {
    expect(() => encodeEmbedding([1, 1e39])).toThrow(RangeError);
    const encoded = encodeEmbedding([0.5, 0.25]);
    expect(decodeEmbedding(encoded.slice(0, -1))).toBeUndefined();
    expect(decodeEmbedding(`${encoded.slice(0, 4)}*${encoded.slice(5)}`)).toBeUndefined();
    expect(decodeEmbedding('AAA=')).toBeUndefined();
  });
});

import { performance } from 'node:perf_hooks';
import type { Database } from '@azure/cosmos';
import { BlobServiceClient } from '@azure/storage-blob';
import { startBenchEmulators } from './bench-emulators.js';
import { CountedContainer } from '../shared/adapters/cosmos/counted-container.js';
import { CosmosKnowledgeChunkPageRepository } from '../shared/adapters/cosmos/knowledge-chunk-page-repository.js';
import { createDocumentExtractor } from '../shared/adapters/knowledge/extraction/document-extractor.js';
import { parseConfig } from '../shared/config.js';
import { DEFAULT_CHUNKING, chunkDocument } from '../shared/domain/knowledge/chunking.js';
import { extractiveSummary } from '../shared/domain/knowledge/extractive-summarizer.js';
import { KNOWLEDGE_CONTAINER, knowledgeSourcePath } from '../shared/domain/knowledge/knowledge-paths.js';
import { createRuntime } from '../shared/runtime.js';
import { median, round, timing, type Timing } from './stats.js';

/** One format's figures: the whole ingest path against the extraction library alone on the same bytes. */
export interface FormatIngestResults {
  readonly fileBytes: number;
  readonly pages: number | undefined;
  readonly chunks: number;
  /** Blob landed → file `ready`: the host's read of the landed blob, then the service the blob trigger calls. */
  readonly endToEnd: Timing;
  /** Of which: reading the blob from Azurite, as the host does before invoking the function. */
  readonly blobRead: Timing;
  /** Of which: the ingest service (sniff, extract, chunk, index in Cosmos, summary, status writes). */
  readonly ingest: Timing;
  /** The baseline: the extraction library alone (PDF.js through unpdf, page by page; marked's lexer). */
  readonly library: Timing;
  /** File size ÷ p50 time, in MB/s (MiB). */
  readonly endToEndMBps: number;
  readonly libraryMBps: number;
  /** library MB/s ÷ end-to-end MB/s, i.e. endToEnd p50 ÷ library p50 (the issue's target is at most 1.5). */
  readonly ratio: number;
}

/**
 * Where the markdown ingest's time goes: its steps run one by one on the same bytes, in the same run (p50 ms). The rest
 * of the ingest is its status reads and writes, the version bump and the listing of the file's old documents.
 */
export interface MarkdownIngestSteps {
  /** Sniffing and extracting: UTF-8 decoding, marked's lexer, blocks, clean-up. */
  readonly extract: number;
  readonly chunk: number;
  readonly summary: number;
  /** The chunks packed into page documents and upserted through the in-process Cosmos server. */
  readonly writePages: number;
  /** The page documents' size as stored (JSON), in bytes. */
  readonly storedBytes: number;
}

export interface KnowledgeIngestBenchResults {
  readonly iterations: number;
  readonly markdown: FormatIngestResults;
  readonly markdownSteps: MarkdownIngestSteps;
  readonly pdf: FormatIngestResults;
  readonly targetRatio: 1.5;
}

const MiB = 1024 * 1024;
const API_KEY = 'bench-knowledge-ingest-key-0123456789abcdef';

const TOPICS = ['billing', 'refunds', 'security', 'onboarding', 'integrations', 'avatars', 'voices', 'sessions', 'limits', 'support'];

/** Prose that varies, so that chunking, the lexical index and the summary do real work. */
function sentence(i: number): string {
  const topic = TOPICS[i % TOPICS.length] ?? 'general';
  return (
    `Section ${i} explains how ${topic} work for teams of ${(i % 40) + 2} people, ` +
    `including the ${['first', 'second', 'third', 'fourth'][i % 4] ?? 'next'} step and the checks done on day ${(i % 28) + 1}.`
  );
}

/** A markdown manual of about `bytes`: headings on three levels, paragraphs, lists, a table and code now and then. */
export function makeBenchMarkdown(bytes: number): Buffer {
  const parts: string[] = ['# Companion operations manual\n'];
  let size = parts[0]!.length;
  for (let i = 0; size < bytes; i++) {
    const block =
      i % 20 === 0
        ? `## Chapter ${i / 20 + 1}: ${TOPICS[(i / 20) % TOPICS.length] ?? ''}\n`
        : i % 5 === 0
          ? `### ${TOPICS[i % TOPICS.length] ?? ''} details ${i}\n`
          : i % 7 === 0
            ? `- ${sentence(i)}\n- ${sentence(i + 1)}\n- ${sentence(i + 2)}\n`
            : i % 11 === 0
              ? `| Plan | Agents | Minutes |\n|---|---|---|\n| Basic | ${i % 9} | ${i * 3} |\n| Pro | ${i % 50} | ${i * 7} |\n`
              : i % 13 === 0
                ? '```bash\nnpm install companion-sdk\ncompanion login --key ck_example\n```\n'
                : `${sentence(i)} ${sentence(i + 3)} ${sentence(i + 5)}\n`;
    parts.push(block);
    size += block.length + 1;
  }
  return Buffer.from(parts.join('\n'), 'utf8');
}

/** A text PDF of `pages` A4 pages, each with a heading and about 45 lines of 11 pt body text. */
export async function makeBenchPdf(pages: number): Promise<Uint8Array> {
  const { PDFDocument, StandardFonts } = await import('pdf-lib');
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  let n = 0;
  for (let p = 0; p < pages; p++) {
    const page = doc.addPage([595, 842]);
    page.drawText(`Chapter ${p + 1}: ${TOPICS[p % TOPICS.length] ?? ''}`, { x: 56, y: 780, size: 20, font: bold });
    let y = 744;
    while (y > 70) {
      const words = `${sentence(n)} ${sentence(n + 1)}`.split(' ');
      n += 2;
      let line = '';
      for (const word of words) {
        if (line.length + word.length + 1 > 90) {
          page.drawText(line, { x: 56, y, size: 11, font });
          y -= 14;
          line = word;
        } else line = line ? `${line} ${word}` : word;
      }
      page.drawText(line, { x: 56, y, size: 11, font });
      y -= 26;
    }
  }
  return doc.save();
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

/** PDF.js through unpdf, page by page (what the extractor does, without layout analysis, chunking or storage). */
async function pdfLibraryAlone(bytes: Uint8Array): Promise<number> {
  const { getDocumentProxy } = await import('unpdf');
  const pdf = await getDocumentProxy(new Uint8Array(bytes), { isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 });
  try {
    let items = 0;
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      items += (await page.getTextContent()).items.length;
      page.cleanup();
    }
    return items;
  } finally {
    await pdf.destroy();
  }
}

async function markdownLibraryAlone(bytes: Uint8Array): Promise<number> {
  const { marked } = await import('marked');
  return marked.lexer(Buffer.from(bytes).toString('utf8')).length;
}

const mbps = (bytes: number, ms: number) => round(bytes / MiB / (ms / 1000), 2);

/** The markdown ingest's steps one by one, with the adapters the ingest uses, on a base of their own. */
async function timeMarkdownSteps(database: Database, bytes: Uint8Array, iterations: number): Promise<MarkdownIngestSteps> {
  const extractor = createDocumentExtractor();
  const pages = new CosmosKnowledgeChunkPageRepository(new CountedContainer(database.container('knowledge-chunks')));
  const baseId = 'kb_bench_steps';
  const samples = { extract: [] as number[], chunk: [] as number[], summary: [] as number[], writePages: [] as number[] };
  let storedBytes = 0;
  for (let i = 0; i < iterations + 1; i++) {
    const extracted = await timed(async () => {
      const sniffed = await extractor.sniff(bytes, 'manual.md');
      if (!sniffed.ok) throw new Error('the benchmark markdown was not recognised');
      return extractor.extract(bytes, sniffed.type);
    });
    if (!extracted.value.ok) throw new Error('the benchmark markdown was not extracted');
    const blocks = extracted.value.blocks;
    const chunked = await timed(async () => chunkDocument(blocks, DEFAULT_CHUNKING));
    const summary = await timed(async () => extractiveSummary(chunked.value));
    const fileId = `file_steps${i}`;
    const chunks = chunked.value.map((chunk) => ({ ...chunk, id: `${fileId}:${chunk.index}`, projectId: 'proj_bench', baseId, fileId }));
    const written = await timed(() => pages.writeFilePages('proj_bench', baseId, fileId, chunks));
    if (i === 0) {
      const stored = await database.container('knowledge-chunks').items.query({ query: 'SELECT * FROM c WHERE c.fileId = @fileId', parameters: [{ name: '@fileId', value: fileId }] }, { partitionKey: baseId }).fetchAll();
      storedBytes = stored.resources.reduce((sum, document) => sum + Buffer.byteLength(JSON.stringify(document)), 0);
    }
    await pages.deleteDocuments(baseId, written.value);
    if (i === 0) continue;
    samples.extract.push(extracted.ms);
    samples.chunk.push(chunked.ms);
    samples.summary.push(summary.ms);
    samples.writePages.push(written.ms);
  }
  const p50 = (values: number[]) => round(median(values), 1);
  return { extract: p50(samples.extract), chunk: p50(samples.chunk), summary: p50(samples.summary), writePages: p50(samples.writePages), storedBytes };
}

/**
 * Ingestion throughput, blob landed → `ready`, for a markdown file and a PDF, against the extraction library alone on
 * the same bytes, in the same run, steps interleaved so that both sides see the same machine state. Each iteration
 * adds the file through the service (which lands it in the knowledge container), then times what the blob trigger
 * does: the host's read of the blob and the ingest service; the file is deleted afterwards (not timed), so the base
 * and the chunk container stay the same size. No Azure OpenAI: the local default (lexical index, extractive summary).
 */
export async function runKnowledgeIngestBench(
  options: { readonly iterations?: number; readonly warmup?: number; readonly markdownBytes?: number; readonly pdfPages?: number } = {},
): Promise<KnowledgeIngestBenchResults> {
  const iterations = Math.max(3, options.iterations ?? 8);
  const warmup = options.warmup ?? 1;
  const emulators = await startBenchEmulators('bench-knowledge-ingest-');
  const { azurite } = emulators;
  try {
    const config = parseConfig({
      ...emulators.settings('bench-knowledge-ingest'),
    });
    const runtime = await createRuntime(config, { logger: { warn: () => undefined, error: () => undefined } });
    try {
      await runtime.ensureContainers();
      const { services } = runtime;
      await services.bootstrap.ensureLocalBootstrap({ apiKeySecret: API_KEY });
      const principal = await services.apiKeys.authenticate(API_KEY);
      const base = await services.knowledgeBases.create(principal, { name: 'Benchmark', provider: 'azureOpenAI' });
      const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(KNOWLEDGE_CONTAINER);

      const files = {
        markdown: { fileName: 'manual.md', contentType: 'text/markdown', bytes: makeBenchMarkdown(options.markdownBytes ?? 2 * MiB), library: markdownLibraryAlone },
        pdf: { fileName: 'manual.pdf', contentType: 'application/pdf', bytes: await makeBenchPdf(options.pdfPages ?? 60), library: pdfLibraryAlone },
      };
      type Format = keyof typeof files;
      const samples: Record<Format, { read: number[]; ingest: number[]; library: number[]; chunks: number; pages: number | undefined }> = {
        markdown: { read: [], ingest: [], library: [], chunks: 0, pages: undefined },
        pdf: { read: [], ingest: [], library: [], chunks: 0, pages: undefined },
      };

      for (let i = 0; i < warmup + iterations; i++) {
        for (const format of ['markdown', 'pdf'] as const) {
          const { fileName, contentType, bytes, library } = files[format];
          const added = await services.knowledgeIntake.addSentFile(principal, base.id, { fileName, contentType, bytes });
          const blob = container.getBlobClient(knowledgeSourcePath(principal.projectId, base.id, added.id));
          const { etag } = await blob.getProperties();

          const read = await timed(() => blob.downloadToBuffer());
          const ingest = await timed(() =>
            services.knowledgeIngest.ingest({ projectId: principal.projectId, baseId: base.id, fileId: added.id, bytes: read.value, etag: etag ?? '' }),
          );
          if (ingest.value !== 'ready') throw new Error(`the benchmark's ${format} file was not ingested (${ingest.value})`);
          const alone = await timed(() => library(bytes));
          if (alone.value === 0) throw new Error(`the ${format} library read nothing`);

          const ready = await services.knowledgeFiles.get(principal, base.id, added.id);
          await services.knowledgeFiles.delete(principal, base.id, added.id, undefined);
          if (i < warmup) continue;
          samples[format].read.push(read.ms);
          samples[format].ingest.push(ingest.ms);
          samples[format].library.push(alone.ms);
          samples[format].chunks = ready.chunkCount;
          samples[format].pages = ready.pageCount ?? undefined;
        }
      }

      const markdownSteps = await timeMarkdownSteps(runtime.cosmosDatabase, files.markdown.bytes, iterations);

      const resultsOf = (format: Format): FormatIngestResults => {
        const s = samples[format];
        const endToEnd = timing(s.read.map((ms, i) => ms + (s.ingest[i] ?? 0)));
        const library = timing(s.library);
        const fileBytes = files[format].bytes.byteLength;
        return {
          fileBytes,
          pages: s.pages,
          chunks: s.chunks,
          endToEnd,
          blobRead: timing(s.read),
          ingest: timing(s.ingest),
          library,
          endToEndMBps: mbps(fileBytes, endToEnd.p50Ms),
          libraryMBps: mbps(fileBytes, library.p50Ms),
          ratio: round(endToEnd.p50Ms / library.p50Ms, 2),
        };
      };
      return { iterations, markdown: resultsOf('markdown'), markdownSteps, pdf: resultsOf('pdf'), targetRatio: 1.5 };
    } finally {
      await runtime.dispose();
    }
  } finally {
    await emulators.stop();
  }
}

/** Breaks prose into lines of at most `width` characters, at spaces. */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}

/** The results as a bench/RESULTS.md section body (for bench/run.ts). */
export function knowledgeIngestTable(r: KnowledgeIngestBenchResults): string {
  const row = (name: string, f: FormatIngestResults) =>
    `| ${name} | ${(f.fileBytes / MiB).toFixed(2)} MB${f.pages === undefined ? '' : `, ${f.pages} pages`}, ${f.chunks} chunks | ` +
    `${f.endToEndMBps} | ${f.endToEnd.p50Ms} (read ${f.blobRead.p50Ms} + ingest ${f.ingest.p50Ms}) | ${f.libraryMBps} | ${f.library.p50Ms} | **${f.ratio}** |`;
  const met = (f: FormatIngestResults) => (f.ratio <= r.targetRatio ? 'meets' : 'does not meet');
  const m = r.markdown;
  const steps = r.markdownSteps;
  const rest = round(m.ingest.p50Ms - steps.extract - steps.chunk - steps.summary - steps.writePages, 1);
  const prose = [
    `Markdown ${met(m)} the ${r.targetRatio} target (ratio ${m.ratio}).`,
    `Its ingest (${m.ingest.p50Ms} ms) is, step by step on the same bytes in the same run (p50):`,
    `extraction ${steps.extract} ms (sniffing, decoding, marked's lexer, blocks and clean-up;`,
    steps.extract < m.library.p50Ms
      ? `less than the library alone's ${m.library.p50Ms} ms, as inline runs without inline syntax skip marked's inline lexer),`
      : `more than the library alone's ${m.library.p50Ms} ms),`,
    `chunking ${steps.chunk} ms, the`,
    `extractive summary ${steps.summary} ms, and writing the chunks ${steps.writePages} ms: ${(steps.storedBytes / MiB).toFixed(2)} MB of page documents`,
    `(a chunk's overlap with the one before it and a page's repeated sections stored once) serialised by the SDK, sent`,
    `over TLS, parsed, stored and echoed back by the Cosmos server that runs in this process, on the same thread; in`,
    `Azure most of that is the database service's work, not the function's.`,
    rest >= 0
      ? `The rest (about ${rest} ms) is status reads and writes, the index version bump and garbage collection, the part that varies most from run to run on a shared machine; the host's blob read adds ${m.blobRead.p50Ms} ms.`
      : `Timed apart, the steps add up to more than the ingest (garbage collection falls differently); the host's blob read adds ${m.blobRead.p50Ms} ms.`,
    `PDF ${met(r.pdf)} the target (ratio ${r.pdf.ratio}): PDF.js dominates both sides.`,
    `(Measured before the search benchmark: run after it in the same process, the garbage it leaves about doubled the markdown ingest's time, not the library's.)`,
  ].join(' ');
  return [
    `Ingestion throughput, blob landed → \`ready\` (the host's blob read + the ingest service: sniff, extract, chunk, index in Cosmos, extractive summary, status writes), against the extraction library alone on the same bytes, ${r.iterations} iterations each, interleaved (p50):`,
    '',
    '| format | file | end to end MB/s | end to end ms | library alone MB/s | library ms | ratio (target ≤ 1.5) |',
    '|---|---|---|---|---|---|---|',
    row('markdown (marked lexer)', r.markdown),
    row('pdf (PDF.js via unpdf, page by page)', r.pdf),
    '',
    wrap(prose, 118),
  ].join('\n');
}

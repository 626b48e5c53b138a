import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAvatarGenerationBench } from './avatar-generation.js';
import { runFoundationBench } from './foundation.js';
import { knowledgeIngestTable, runKnowledgeIngestBench } from './knowledge-ingest.js';
import { runKnowledgeQualityBench } from './knowledge-quality.js';
import { runKnowledgeSearchBench } from './knowledge-search.js';
import { round } from './stats.js';
import { runTurnOverheadBench } from './turn-overhead.js';
import { runSessionBench } from './session-lifecycle.js';
import { runVoiceCheckBench } from './voice-check.js';
import { runMeteringBench } from './metering.js';
import { runPackageBench } from './package.js';
import { measureDashboardWeight } from './dashboard.js';

/**
 * `npm run bench`: runs every benchmark and rewrites its section of bench/RESULTS.md.
 * `npm run bench -- --quick` shortens the load phases (for a smoke run; not for recorded figures);
 * `npm run bench -- --only=companions` runs only the named sections.
 */
const quick = process.argv.includes('--quick');
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS = path.join(ROOT, 'bench', 'RESULTS.md');

function replaceSection(markdown: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${content.trim()}\n${end}`;
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  if (from >= 0 && to > from) return markdown.slice(0, from) + block + markdown.slice(to + end.length);
  return `${markdown.trimEnd()}\n\n${block}\n`;
}

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const when = new Date().toISOString();

async function foundationSection(): Promise<string> {
  const f = await runFoundationBench({ seconds: quick ? 3 : 10, coldRuns: quick ? 3 : 10 });
  return `
## Foundation (issue 2)

Command: \`npm run bench\`${quick ? ' (quick mode: shortened runs, indicative only)' : ''} — ${when}, ${machine}.

**Cold start** (median of ${f.coldStart.runs} fresh processes each, interleaved): importing every function module

| import | ms | ratio to \`@azure/functions\` alone |
|---|---|---|
| \`@azure/functions\` alone (baseline) | ${f.coldStart.libraryMs} | 1 |
| the app's entry as deployed (\`dist/app/index.js\`, package.json \`main\`, minified esbuild bundle whose HTTP modules load on first request) | ${f.coldStart.bundleMs} | **${f.coldStart.bundleRatio}** (target ≤ 3) |
| the same modules as tsc emits them, unbundled (\`dist/functions/index.js\`) | ${f.coldStart.modulesMs} | ${f.coldStart.modulesRatio} |

SDKs (Cosmos DB, Storage, Identity) load on the first request, not at import.

**API overhead**: \`GET /public/project\` with an API key through the local host (stream mode, real key lookup in
Cosmos) against a bare Node HTTP server answering the same JSON, 16 connections, ${quick ? 3 : 10} s each, autocannon,
same run:

| | req/s | mean ms (16 ÷ req/s) | p50 ms | p99 ms | non-2xx |
|---|---|---|---|---|---|
| local host | ${f.apiOverhead.service.requestsPerSecond} | ${f.apiOverhead.service.meanMs} | ${f.apiOverhead.service.p50Ms} | ${f.apiOverhead.service.p99Ms} | ${f.apiOverhead.service.non2xx} |
| bare Node | ${f.apiOverhead.bare.requestsPerSecond} | ${f.apiOverhead.bare.meanMs} | ${f.apiOverhead.bare.p50Ms} | ${f.apiOverhead.bare.p99Ms} | ${f.apiOverhead.bare.non2xx} |
| ratio (host / bare) | 1 / ${f.apiOverhead.throughputRatio} | ${f.apiOverhead.meanLatencyRatio}× | | | |

autocannon reports latency percentiles in whole milliseconds, so the bare server's p50 and p99 read 0; the mean
latency is derived from throughput (Little's law over 16 closed-loop connections). The host's time per request goes to the second HTTP exchange of stream mode (host → the
worker's HTTP proxy, as in Azure), the \`@azure/functions\` invocation model, the API-key point read in Cosmos over
TLS, and one structured log line; the two cores are shared with autocannon and the Cosmos server.

**Store operations per authenticated request** (warm, counted at the Cosmos server): ${f.storeOps.cosmosRequests}
requests to Cosmos over ${f.storeOps.requests} sequential \`GET /public/project\` calls = **${f.storeOps.perRequest}**
per request (target ≤ 1 for key resolution).
`;
}

/** The target is a p95 ratio; a p95 that passes only because the baseline had slow samples of its own is no pass. */
function voiceCheckVerdict(v: Awaited<ReturnType<typeof runVoiceCheckBench>>): string {
  const target = v.targetRatio;
  if (v.ratio <= target && v.ratioP50 <= target) return '**met**';
  if (v.ratio > target) return '**not met**';
  return (
    `**not met**: the p95 ratio passes only because the baseline's own slow reads raise its p95 ` +
    `(${v.directFromBlob.p95Ms} ms against a median of ${v.directFromBlob.p50Ms} ms); at the median the check path ` +
    `costs ${v.ratioP50}× the baseline`
  );
}

async function companionsSection(): Promise<string> {
  const v = await runVoiceCheckBench(quick ? { iterations: 30, warmup: 2 } : {});
  const a = await runAvatarGenerationBench(quick ? { iterations: 20, warmup: 2 } : {});
  return `
## Companions: voice check and avatar generation (issue 3)

Command: \`npm run bench\`${quick ? ' (quick mode)' : ''} — ${when}, ${machine}.

**Voice check**, ${v.iterations} iterations on a ${(v.fileBytes / 2 ** 20).toFixed(1)} MB, ${v.audioSeconds} s WAV (p95 / p50 / mean, ms):

| step | p95 | p50 | mean |
|---|---|---|---|
| blob-triggered check path (blob read from Azurite + the service the trigger calls) | ${v.checkPath.p95Ms} | ${v.checkPath.p50Ms} | ${v.checkPath.meanMs} |
| of which the blob read | ${v.blobRead.p95Ms} | ${v.blobRead.p50Ms} | ${v.blobRead.meanMs} |
| of which the service (sniff and parse while the companion is read, server-side copy to the accepted path, Cosmos record, event and hand-off together, delete) | ${v.service.p95Ms} | ${v.service.p50Ms} | ${v.service.meanMs} |
| **baseline**: the same file read from a blob in the same Azurite, then parsed by music-metadata | ${v.directFromBlob.p95Ms} | ${v.directFromBlob.p50Ms} | ${v.directFromBlob.meanMs} |
| the check alone in memory (file-type + music-metadata) | ${v.inspectorOnly.p95Ms} | ${v.inspectorOnly.p50Ms} | ${v.inspectorOnly.meanMs} |
| music-metadata parsing the same bytes in memory | ${v.directParse.p95Ms} | ${v.directParse.p50Ms} | ${v.directParse.meanMs} |

The check path and the baseline run in the same iteration, in alternating order (so do the two in-memory steps).

- Whole check path ÷ the baseline (file in storage on both sides): **${v.ratio}** at p95 (${v.ratioP50} at p50);
  target ≤ ${v.targetRatio}: ${voiceCheckVerdict(v)}.
- The check in memory ÷ music-metadata in memory: **${v.inspectorRatio}** at p95 (${v.inspectorRatioP50} at p50).
  The check is that same parse plus file-type's sniff of the leading bytes and the limit checks (the sniffed type is
  handed to music-metadata, so the format is not detected twice): the two differ by a fraction of a millisecond,
  which is within run-to-run noise at this scale.

Reading the 3 MB blob costs the same on both sides; what the check path adds is its storage round trips, each a few
milliseconds on the emulators: the companion read (overlapped with the check), the server-side copy of the accepted
file and its content type (no bytes are sent back), the Cosmos record, then the \`companion.updated\` event and the
voice-profile hand-off (queue message, then its mark) together, and the removal of the incoming file last (while it
is there, a retried trigger re-sends a failed hand-off). Those steps keep an accepted medium stored before it is
recorded and its hand-off from being lost, so the service does not shrink below them. For reference, the old
comparison against the in-memory parse alone (storage on one side only) reads ${v.ratioToInMemoryParse}. On this
shared two-core machine the storage-bound figures, and so the ratio, move by tens of percent between runs.

**Avatar generation**, ${a.iterations} iterations on a 1920×1080 JPEG of ${Math.round(a.pictureBytes / 1024)} KB (ms):

| step | p95 | p50 | mean |
|---|---|---|---|
| queue-triggered generation service on the emulators (read, derive views, write, three status steps with events) | ${a.generationPath.p95Ms} | ${a.generationPath.p50Ms} | ${a.generationPath.meanMs} |
| baseline: the same transforms (deriveViews) in memory | ${a.directTransforms.p95Ms} | ${a.directTransforms.p50Ms} | ${a.directTransforms.meanMs} |

Ratio: **${a.ratio}**.
`;
}

async function knowledgeSection(): Promise<string> {
  // Ingestion first: the garbage the 10,000-chunk search benchmark leaves in this process (hundreds of MB not yet
  // collected) doubled the ingest's allocation-heavy path when it ran after it, and not the library baseline's.
  const i = await runKnowledgeIngestBench(quick ? { iterations: 2 } : {});
  const q = await runKnowledgeQualityBench();
  const s = await runKnowledgeSearchBench(quick ? { chunks: 2_000, queries: 100 } : {});
  const misses = (m: readonly string[]): string => (m.length === 0 ? 'none' : m.map((x) => `“${x}”`).join(', '));
  return `
## Knowledge: retrieval quality, search latency, ingestion (issue 4)

Command: \`npm run bench\`${quick ? ' (quick mode)' : ''} — ${when}, ${machine}.

**Retrieval quality**: ${q.questions} questions with known answers over ${q.documents} documents
(\`test/fixtures/knowledge-qa\`, ${q.chunks} chunks, through the real extractor, chunker and search index); a
question counts when a passage of the right document holding the answer is in the top 5.

| path | recall@5 (target ≥ 0.9) | MRR | missed |
|---|---|---|---|
| lexical (BM25 over heading + text) | **${q.lexical.recallAt5}** | ${q.lexical.mrr} | ${misses(q.lexical.misses)} |
| hybrid (BM25 + vectors, reciprocal rank fusion) | **${q.hybrid.recallAt5}** | ${q.hybrid.mrr} | ${misses(q.hybrid.misses)} |

The hybrid path's vectors come from the Azure OpenAI fake's deterministic embeddings (hashed words), which carry no
meaning beyond shared words; they exercise the fusion, not semantic recall. Real embeddings are what find
paraphrases such as "money back" for "refund".

**Search latency**: ${s.chunks} chunks in one base (${s.files} files, ${s.dimensions}-dimension vectors), ${s.queries}
queries, warm, through the embedded index on the local Cosmos server (one version point read per search):

| search | p95 ms (target ≤ 20) | p50 ms | mean ms |
|---|---|---|---|
| lexical | **${s.lexical.p95Ms}** | ${s.lexical.p50Ms} | ${s.lexical.meanMs} |
| hybrid | **${s.hybrid.p95Ms}** | ${s.hybrid.p50Ms} | ${s.hybrid.meanMs} |
| hybrid, in memory, 1,536-dimension vectors (for scale) | ${s.hybrid1536InMemory.p95Ms} | ${s.hybrid1536InMemory.p50Ms} | ${s.hybrid1536InMemory.meanMs} |

Writing the ${s.chunks} chunks took ${round(s.ingestSeconds, 1)} s; a fresh instance's first search (load and build)
took ${round(s.coldBuildMs, 0)} ms.

${knowledgeIngestTable(i)}
`;
}

async function agentsSection(): Promise<string> {
  const t = await runTurnOverheadBench({ turnsPerKind: quick ? 10 : 60 });
  const rows = t.kinds
    .map(
      (k) =>
        `| ${k.kind} | ${k.turns} | ${k.wall.p95Ms} | ${k.modelMs.p95Ms} | ${k.toolMs.p95Ms} | ${k.overhead.p50Ms} | **${k.overhead.p95Ms}** | ${k.storeOpsPerTurn} |`,
    )
    .join('\n');
  const met = t.overall.p95Ms <= t.targetP95Ms;
  return `
## Agents: turn overhead (issue 5)

Command: \`npm run bench\`${quick ? ' (quick mode: shortened runs, indicative only)' : ''} — ${when}, ${machine}.

A text session with an agent holding a knowledge base of ${t.chunks} chunks, ${t.functions} functions (3 explicit on
the fake tool server, 2 implicit) and a ${t.faqPairs}-pair FAQ, through \`npm start\`'s local host (the emulators in
the benchmark process), the Azure OpenAI fake as the model (chat only: FAQ matching and search are lexical).
Overhead = the request's wall time at the client − the time the turn waited on the model (\`timings.modelMs\`) − the
time it waited on explicit functions' endpoints (\`timings.toolMs\`); it includes the local host, the session-token
check, the session read and write, FAQ matching, prompt building and the knowledge search. Kinds are interleaved; ms:

| turn | turns | wall p95 | model p95 | endpoint p95 | overhead p50 | overhead p95 | Cosmos requests per turn |
|---|---|---|---|---|---|---|---|
${rows}

All turns: overhead p50 ${t.overall.p50Ms} ms, **p95 ${t.overall.p95Ms} ms** (target ≤ ${t.targetP95Ms} ms, **${met ? 'met' : 'not met'}**).
`;
}

async function sessionsSection(): Promise<string> {
  const r = await runSessionBench({ creations: quick ? 20 : 100, openSessions: quick ? 200 : 1000 });
  const met = r.storeOpsPerCreation <= 8;
  return `
## Sessions: connection creation and the sweeper (issue 6)

Command: \`npm run bench\`${quick ? ' (quick mode: shortened runs, indicative only)' : ''} — ${when}, ${machine}.

**Connection creation**, \`POST /public/agents/{id}/connections\` through \`npm start\`'s local host (emulators in the
benchmark process), ${r.creations} sequential creations for an agent with ${r.agentShape}; each is closed before
the next. Wall time at the client: p50 ${r.creation.p50Ms} ms, **p95 ${r.creation.p95Ms} ms**, mean ${r.creation.meanMs} ms.
Cosmos operations per creation (authenticating the key and opening the session, counted in process, warm):
**${r.storeOpsPerCreation}** (target ≤ 8, **${met ? 'met' : 'not met'}**): the key lookup, the rate-limit create (a
second one when a random probe meets a taken slot), the agent, its functions (one query), the FAQ collection, the slot
patch and the session create; the knowledge base's name is kept per instance (a base cannot be renamed, nor deleted
while an agent uses it).

**Sweeper** with ${r.openSessions} open (started) sessions, its service call on the emulators:

| sweep | ms | Cosmos requests |
|---|---|---|
| nothing due (20 runs: p50 / p95) | ${r.sweepIdle.ms.p50Ms} / ${r.sweepIdle.ms.p95Ms} | ${r.sweepIdle.storeOps} |
| 100 sessions due for their 60 s warning | ${r.sweepWarn.ms} | ${r.sweepWarn.storeOps} (${r.sweepWarn.warned} warned) |
| the same 100 due for their idle close | ${r.sweepClose.ms} | ${r.sweepClose.storeOps} (${r.sweepClose.closed} closed) |

A sweep reads only the sessions whose \`nextCheckAt\` has come (one cross-partition query); each due session costs
one conditional replace, and a close one more read and replace to release its slot.
`;
}

async function meteringSection(): Promise<string> {
  const m = await runMeteringBench({ sessionMinutes: quick ? 10_000 : 100_000, resources: 40, hours: 12, concurrency: 8 });
  return `
## Metering: aggregation and Marketplace submission (issue 7)

Command: \`npm run build && node dist/bench/run.js --only=metering\`${quick ? ' (quick mode: a tenth of the minutes)' : ''} — ${when}, ${machine}.

**${m.sessionMinutes.toLocaleString('en-US')} session-minutes** (the billed minutes of ${m.sessions.toLocaleString('en-US')} closed sessions of 30 s to
40 min, over ${m.resources} Marketplace subscriptions, ${m.hours} UTC hours and both dimensions) on the local Cosmos DB
server; the Metering API fake over HTTP, with tokens from the Entra fake:

| step | s | Cosmos requests |
|---|---|---|
| aggregation: the \`usage-events\` handler's service call per closed session, ${8} at a time (${m.aggregation.sessionsPerSecond} sessions/s) | ${m.aggregation.seconds} | ${m.aggregation.cosmosOps} |
| submission: one timer run (settle every hour, freeze one event per key, send, read every status) | ${m.submission.seconds} | ${m.submission.cosmosOps} |
| **total** | **${m.totalSeconds}** | |

Metering API calls: **${m.calls}** for ${m.keys} resource-dimension-hour keys; minimum possible ⌈${m.keys} ÷ 25⌉ =
**${m.minimumCalls}** (${m.itemsPerCall} items per call). Accepted quantity: ${m.acceptedMinutes.toLocaleString('en-US')}
minutes, equal to the sessions' billed minutes (the benchmark fails otherwise).

Aggregation costs, per session, its read and, per hour it touched, a point read and a create-only write of its
contribution, then a read and a conditional replace of its resource's and its project's hourly document (about
${round(m.aggregation.cosmosOps / m.sessions, 1)} Cosmos requests per session); sessions of the same resource and hour
contend on that document and retry on its ETag. The submission settles each hour with three queries (the sessions
active in it, their contributions, the hour's aggregates) and records again only sessions whose usage is missing or
stale (none here), then freezes each event (a point read, the organization, the carry, a create), records each batch
before its call and each item's status after it.
`;
}

async function packageSection(): Promise<string> {
  const p = await runPackageBench({ runs: quick ? 3 : 10 });
  const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
  const row = (label: string, v: typeof p.bundled): string =>
    `| ${label} | ${mb(v.zipBytes)} | ${mb(v.unzippedBytes)} | ${v.files.toLocaleString('en-US')} | ${v.modules} | ${v.importMs} | ${v.processMs} |`;
  return `
## Deployment package (issue 8)

Command: \`npm run build && node dist/bench/run.js --only=package\`${quick ? ' (quick mode)' : ''} — ${when}, ${machine}.

Each zip unzipped into an empty folder (nothing to resolve above it) and its entry imported in ${p.runs} fresh
processes each, interleaved, with the Functions core module installed as the worker does (medians):

| package | zip MB | unzipped MB | files | node_modules packages | import ms | process ms (Node start + import) |
|---|---|---|---|---|---|---|
${row('`npm run package`: esbuild bundle + the packages it leaves external', p.bundled)}
${row('unbundled: tsc output of functions/ and shared/ + every production dependency', p.unbundled)}
| ratio (bundled ÷ unbundled) | ${round(p.bundled.zipBytes / p.unbundled.zipBytes)} | ${round(p.bundled.unzippedBytes / p.unbundled.unzippedBytes)} | | | ${round(p.bundled.importMs / p.unbundled.importMs)} | ${round(p.bundled.processMs / p.unbundled.processMs)} |

The bundle inlines zod, openai, ajv, the PDF and DOCX text extractors and the rest; the SDKs (\`@azure/*\`), sharp
(native), file-type, music-metadata, mammoth, jose and ws stay external and ship as node_modules with their own
dependencies. Type declarations, source maps and docs of dependencies are left out; the app's own source maps ship.
`;
}

async function dashboardSection(): Promise<string> {
  const d = measureDashboardWeight();
  const kb = (bytes: number): string => (bytes / 1024).toFixed(1);
  const rows = (list: DashboardAssetRow[], when: string): string =>
    list.map((a) => `| \`${a.file}\` | ${when} | ${kb(a.bytes)} | ${kb(a.gzipped)} |`).join('\n');
  return `
## Dashboard weight (issue 9)

Command: \`npm run build && node dist/bench/run.js --only=dashboard\` — ${when}, ${machine}.

What a browser fetches of \`dist/admin\` (gzip level 9, as the \`dashboard\` function serves it):

| file | loaded | KB | KB gzipped |
|---|---|---|---|
${rows(d.firstLoad, 'first load')}
${rows(d.later, 'on demand (MSAL, when Entra ID sign-in is configured)')}

All JavaScript, gzipped: **${kb(d.scriptsGzipped)} KB** of the ${kb(d.budgetBytes)} KB budget (ratio **${d.ratioToBudget}**, target ≤ 1).
\`test/infra/dashboard-bundle.test.ts\` holds the budget in every test run.
`;
}

type DashboardAssetRow = ReturnType<typeof measureDashboardWeight>['firstLoad'][number];

const SECTIONS: Record<string, () => Promise<string>> = {
  foundation: foundationSection,
  companions: companionsSection,
  knowledge: knowledgeSection,
  agents: agentsSection,
  sessions: sessionsSection,
  metering: meteringSection,
  package: packageSection,
  dashboard: dashboardSection,
};
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
const results: [string, string][] = [];
for (const [name, run] of Object.entries(SECTIONS)) {
  if (only && !only.includes(name)) continue;
  results.push([name, await run()]);
}

const existing = existsSync(RESULTS)
  ? readFileSync(RESULTS, 'utf8')
  : '# Benchmark results\n\nEach section is rewritten by `npm run bench`; figures are ratios against a baseline measured in the same run.\n';
let markdown = existing;
for (const [name, section] of results) {
  markdown = replaceSection(markdown, name, section);
  process.stdout.write(section);
}
writeFileSync(RESULTS, markdown);

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFoundationBench } from './foundation.js';

/**
 * `npm run bench`: runs every benchmark and rewrites its section of bench/RESULTS.md.
 * `npm run bench -- --quick` shortens the load phases (for a smoke run; not for recorded figures).
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

const f = await runFoundationBench({ seconds: quick ? 3 : 10, coldRuns: quick ? 3 : 10 });
const section = `
## Foundation (issue 2)

Command: \`npm run bench\`${quick ? ' (quick mode: shortened runs, indicative only)' : ''} — ${when}, ${machine}.

**Cold start** (median of ${f.coldStart.runs} fresh processes each): importing every function module
${f.coldStart.functionsMs} ms against importing \`@azure/functions\` alone ${f.coldStart.libraryMs} ms:
ratio **${f.coldStart.ratio}** (target ≤ 3).

**API overhead**: \`GET /public/project\` with an API key through the local host (stream mode, real key lookup in
Cosmos) against a bare Node HTTP server answering the same JSON, 16 connections, ${quick ? 3 : 10} s each, autocannon,
same run:

| | req/s | p50 ms | p99 ms | non-2xx |
|---|---|---|---|---|
| local host | ${f.apiOverhead.service.requestsPerSecond} | ${f.apiOverhead.service.p50Ms} | ${f.apiOverhead.service.p99Ms} | ${f.apiOverhead.service.non2xx} |
| bare Node | ${f.apiOverhead.bare.requestsPerSecond} | ${f.apiOverhead.bare.p50Ms} | ${f.apiOverhead.bare.p99Ms} | ${f.apiOverhead.bare.non2xx} |
| ratio | ${f.apiOverhead.throughputRatio}× fewer | ${f.apiOverhead.p50Ratio}× | ${f.apiOverhead.p99Ratio}× | |

**Store operations per authenticated request** (warm, counted at the Cosmos server): ${f.storeOps.cosmosRequests}
requests to Cosmos over ${f.storeOps.requests} sequential \`GET /public/project\` calls = **${f.storeOps.perRequest}**
per request (target ≤ 1 for key resolution).
`;

const existing = existsSync(RESULTS)
  ? readFileSync(RESULTS, 'utf8')
  : '# Benchmark results\n\nEach section is rewritten by `npm run bench`; figures are ratios against a baseline measured in the same run.\n';
writeFileSync(RESULTS, replaceSection(existing, 'foundation', section));
process.stdout.write(section);

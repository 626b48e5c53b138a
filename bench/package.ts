import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildPackage } from '../local/package.js';
import { unzipTo } from '../local/unzip.js';
import { round } from './stats.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

export interface PackageVariantFigures {
  readonly zipBytes: number;
  readonly unzippedBytes: number;
  readonly files: number;
  readonly modules: number;
  /** Median import of the entry in a fresh process, and median wall time of that whole process (Node start included). */
  readonly importMs: number;
  readonly processMs: number;
}

export interface PackageBenchResults {
  readonly runs: number;
  readonly bundled: PackageVariantFigures;
  readonly unbundled: PackageVariantFigures;
}

function folderBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const full = path.join(dir, entry.name);
    return sum + (entry.isDirectory() ? folderBytes(full) : entry.isFile() ? statSync(full).size : 0);
  }, 0);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/**
 * The deployable zip (`npm run package`: the esbuild bundle with only the packages it leaves external) against the
 * same app deployed unbundled (tsc output with every production dependency), each unzipped into its own empty folder
 * and imported in fresh processes, interleaved, from there.
 */
export async function runPackageBench(options: { runs?: number } = {}): Promise<PackageBenchResults> {
  const runs = options.runs ?? 10;
  const root = mkdtempSync(path.join(os.tmpdir(), 'companion-package-bench-'));
  try {
    const variants = {} as Record<'bundled' | 'unbundled', { dir: string; zipBytes: number; files: number; modules: number }>;
    for (const variant of ['bundled', 'unbundled'] as const) {
      const zip = path.join(root, `${variant}.zip`);
      const built = await buildPackage(zip, { unbundled: variant === 'unbundled' });
      const dir = path.join(root, variant);
      await unzipTo(zip, dir);
      variants[variant] = { dir, zipBytes: built.bytes, files: built.entries, modules: built.modules.length };
    }
    const samples = { bundled: { importMs: [] as number[], processMs: [] as number[] }, unbundled: { importMs: [] as number[], processMs: [] as number[] } };
    for (let i = 0; i < runs; i += 1) {
      for (const variant of ['bundled', 'unbundled'] as const) {
        const started = performance.now();
        const { stdout } = await run(process.execPath, [path.join(HERE, 'package-probe.js'), variants[variant].dir], { cwd: variants[variant].dir });
        samples[variant].processMs.push(performance.now() - started);
        samples[variant].importMs.push((JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { ms: number }).ms);
      }
    }
    const figures = (variant: 'bundled' | 'unbundled'): PackageVariantFigures => ({
      zipBytes: variants[variant].zipBytes,
      unzippedBytes: folderBytes(variants[variant].dir),
      files: variants[variant].files,
      modules: variants[variant].modules,
      importMs: round(median(samples[variant].importMs)),
      processMs: round(median(samples[variant].processMs)),
    });
    return { runs, bundled: figures('bundled'), unbundled: figures('unbundled') };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

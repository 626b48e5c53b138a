import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { installFunctionsCore } from '../local/functions-core/index.js';

/**
 * Run in a fresh process: installs the Functions core module as the worker would, then times the import of an
 * unzipped deployment package's entry (its package.json `main`, resolved against its own node_modules).
 *
 *   node dist/bench/package-probe.js <unzipped package folder>
 */
const appDir = path.resolve(process.argv[2] ?? '.');
const { main } = JSON.parse(readFileSync(path.join(appDir, 'package.json'), 'utf8')) as { main: string };
installFunctionsCore();
const started = performance.now();
await import(pathToFileURL(path.join(appDir, main)).href);
process.stdout.write(`${JSON.stringify({ main, ms: performance.now() - started })}\n`);

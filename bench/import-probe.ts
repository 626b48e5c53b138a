import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { installFunctionsCore } from '../local/functions-core/index.js';

/**
 * Run in a fresh process: installs the Functions core module as the worker would, then times one import.
 * `library` imports `@azure/functions` alone; `modules` imports every function module as tsc compiled them;
 * `bundle` imports the app's bundled entry (package.json "main"), which is what the Function App loads.
 */
const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = process.argv[2];
installFunctionsCore();
const started = performance.now();
if (target === 'library') {
  await import('@azure/functions');
} else if (target === 'modules') {
  await import(pathToFileURL(path.join(DIST, 'functions', 'index.js')).href);
} else if (target === 'bundle') {
  await import(pathToFileURL(path.join(DIST, 'app', 'index.js')).href);
} else {
  throw new Error(`unknown target ${String(target)}`);
}
process.stdout.write(`${JSON.stringify({ target, ms: performance.now() - started })}\n`);

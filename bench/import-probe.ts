import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { installFunctionsCore } from '../local/functions-core/index.js';

/**
 * Run in a fresh process: installs the Functions core module as the worker would, then times one import.
 * `library` imports `@azure/functions` alone; `functions` imports every function module of the app.
 */
const target = process.argv[2];
installFunctionsCore();
const started = performance.now();
if (target === 'library') {
  await import('@azure/functions');
} else if (target === 'functions') {
  const entry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'functions', 'index.js');
  await import(pathToFileURL(entry).href);
} else {
  throw new Error(`unknown target ${String(target)}`);
}
process.stdout.write(`${JSON.stringify({ target, ms: performance.now() - started })}\n`);

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { functionsCore, installFunctionsCore } from './functions-core/index.js';
import { startLocalHost } from './host/index.js';

/**
 * Serves an unzipped deployment package (`npm run package`) under the local Functions host, as the Functions host
 * would in Azure: the package's own package.json `main`, its host.json and its node_modules. The settings come from
 * the environment. Prints one JSON line `{ready, url, importMs, functions}` once it serves; stops on SIGTERM/SIGINT.
 *
 *   node dist/local/package-host.js <unzipped package folder>
 */
async function main(): Promise<void> {
  const appDir = path.resolve(process.argv[2] ?? '.');
  const manifest = JSON.parse(readFileSync(path.join(appDir, 'package.json'), 'utf8')) as { main?: string };
  if (manifest.main === undefined) throw new Error(`${appDir}/package.json has no "main"`);
  installFunctionsCore();
  const started = performance.now();
  await import(pathToFileURL(path.join(appDir, manifest.main)).href);
  const importMs = performance.now() - started;
  const host = await startLocalHost({
    appDir,
    port: Number(process.env['PORT'] ?? '0'),
    settings: { ...process.env },
    log: (line) => process.stderr.write(`${JSON.stringify(line)}\n`),
  });
  const functions = functionsCore.functions.map((r) => {
    const trigger = Object.values(r.metadata.bindings).find((b) => /Trigger$/.test(b.type ?? ''));
    return { name: r.metadata.name, trigger: trigger?.type, source: (trigger as { source?: string } | undefined)?.source };
  });
  const preInvocationHooks = functionsCore.hooksFor('preInvocation').length;
  process.stdout.write(`${JSON.stringify({ ready: true, url: host.url, importMs: Math.round(importMs * 10) / 10, functions, preInvocationHooks })}\n`);
  const stop = (): void => {
    host.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`package host failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

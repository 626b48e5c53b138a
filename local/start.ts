import { ConfigError } from '../shared/config.js';
import { startLocalStack } from './stack.js';

/** `npm start`: the whole service on this machine, on embedded defaults. */
async function main(): Promise<void> {
  // The app is a minified bundle: stack traces in logs point at the sources through its source maps.
  process.setSourceMapsEnabled(true);
  const stack = await startLocalStack({
    env: { ...process.env },
    log: (line) => process.stdout.write(`${line}\n`),
  });
  const { organization, project, apiKey, devAdminToken, generated } = stack.bootstrap;
  const lines = [
    '',
    `Companion API ready on ${stack.url}`,
    `  organization  ${organization.name} (${organization.id})`,
    `  project       ${project.name} (${project.id})`,
    `  API key       ${apiKey}${generated.apiKey ? '   (generated; saved in the data folder)' : ''}`,
    `  admin token   ${devAdminToken}${generated.devAdminToken ? '   (generated; saved in the data folder)' : ''}`,
    `  data folder   ${stack.config.dataDir}`,
    `  dashboard     ${stack.url}/admin/   (sign in with the admin token)`,
    '',
    'Try:',
    `  curl -s ${stack.url}/public/project -H "X-Api-Key: ${apiKey}"`,
    `  curl -s ${stack.url}/manage/me -H "Authorization: Bearer ${devAdminToken}"`,
    '',
    'Ctrl-C stops gracefully and keeps the data.',
    '',
  ];
  process.stdout.write(lines.join('\n'));

  let signals = 0;
  const shutdown = (signal: string): void => {
    signals += 1;
    if (signals > 1) {
      process.stdout.write(`Second ${signal}: exiting now\n`);
      process.exit(1);
    }
    process.stdout.write(`${signal} received: finishing in-flight work, then stopping\n`);
    stack.stop().then(
      () => {
        process.stdout.write('Stopped; data kept.\n');
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`Stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`Start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});

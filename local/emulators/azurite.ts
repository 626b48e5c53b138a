import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { freePort, waitForPort } from './ports.js';

/** The well-known development storage account that Azurite serves. */
const DEVSTORE_ACCOUNT = 'devstoreaccount1';
const DEVSTORE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Folder for Azurite's data; nothing under it is touched by anything else. */
  readonly location: string;
  readonly log?: (line: string) => void;
}

export interface RunningAzurite {
  readonly connectionString: string;
  readonly blobEndpoint: string;
  readonly queueEndpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts Azurite from the npm package as a child process on free ports with its data on disk.
 * `--disableTelemetry` keeps it from reaching the internet; `--skipApiVersionCheck` lets the newest SDKs talk to it.
 */
export async function startAzurite(options: AzuriteOptions): Promise<RunningAzurite> {
  mkdirSync(options.location, { recursive: true });
  const require = createRequire(import.meta.url);
  const azuriteMain = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist/src/azurite.js');
  const [blobPort, queuePort, tablePort] = [await freePort(), await freePort(), await freePort()];
  const child: ChildProcess = spawn(
    process.execPath,
    [
      azuriteMain,
      '--silent',
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--loose',
      '--location',
      options.location,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(blobPort),
      '--queueHost',
      '127.0.0.1',
      '--queuePort',
      String(queuePort),
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      String(tablePort),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let exited = false;
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
    options.log?.(chunk.toString().trimEnd());
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });

  try {
    await Promise.race([
      Promise.all([waitForPort(blobPort, 30_000), waitForPort(queuePort, 30_000)]),
      exit.then(() => {
        throw new Error(`Azurite exited during start-up: ${output.trim()}`);
      }),
    ]);
  } catch (err) {
    if (!exited) child.kill('SIGKILL');
    throw err;
  }

  const blobEndpoint = `http://127.0.0.1:${blobPort}/${DEVSTORE_ACCOUNT}`;
  const queueEndpoint = `http://127.0.0.1:${queuePort}/${DEVSTORE_ACCOUNT}`;
  return {
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${DEVSTORE_ACCOUNT};AccountKey=${DEVSTORE_KEY};` +
      `BlobEndpoint=${blobEndpoint};QueueEndpoint=${queueEndpoint};` +
      `TableEndpoint=http://127.0.0.1:${tablePort}/${DEVSTORE_ACCOUNT};`,
    blobEndpoint,
    queueEndpoint,
    async stop() {
      if (exited) return;
      // SIGTERM lets Azurite flush its metadata database to disk before it exits.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** The origins a local service at `serviceUrl` is reached by in a browser: the same port as localhost and 127.0.0.1. */
export function localServiceOrigins(serviceUrl: string): string[] {
  const url = new URL(serviceUrl);
  const port = url.port === '' ? '' : `:${url.port}`;
  return [...new Set([url.origin, `${url.protocol}//localhost${port}`, `${url.protocol}//127.0.0.1${port}`])];
}

/**
 * Lets the dashboard's browser PUT uploads straight to Azurite with the upload URLs (and read what it may), as the
 * deployment's CORS rule (infra/main.json, `uploadCorsOrigins`) does for the real storage account: Azurite answers a
 * preflight only when the blob service has a matching CORS rule. Only for the Azurite the local stack started itself,
 * never for a storage account named by AzureWebJobsStorage. Setting the same rule again on each start is harmless.
 */
export async function allowBrowserUploads(connectionString: string, origins: readonly string[]): Promise<void> {
  await BlobServiceClient.fromConnectionString(connectionString).setProperties({
    cors: [
      {
        allowedOrigins: origins.join(','),
        allowedMethods: 'PUT,OPTIONS,GET,HEAD',
        // The upload URL's PUT sends x-ms-blob-type and content-type; the SDKs add more x-ms-* headers.
        allowedHeaders: 'x-ms-*,content-type,content-length,content-md5',
        exposedHeaders: 'ETag,x-ms-request-id',
        maxAgeInSeconds: 3600,
      },
    ],
  });
}

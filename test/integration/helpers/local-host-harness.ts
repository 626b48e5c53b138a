import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContainerClient } from '@azure/storage-blob';
import type { QueueServiceClient } from '@azure/storage-queue';
import { startAzurite, type RunningAzurite } from '../../../local/emulators/azurite.js';
import { startLocalHost, type LocalHost } from '../../../local/host/index.js';
import type { Json } from './http-harness.js';

/**
 * Shared by the tests that run the functions in the real local host on an Azurite of their own (so every queue
 * message and blob there is theirs to count), with a loopback server for the files the functions fetch.
 */

/** The app root, where the local host finds host.json and the compiled functions. */
export const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface OwnAzurite {
  readonly azurite: RunningAzurite;
  readonly connectionString: string;
  /** Stops it and removes its data. */
  stop(): Promise<void>;
}

/** An Azurite of the test file's own, with its data in a new temporary directory. */
export async function startOwnAzurite(dirPrefix: string): Promise<OwnAzurite> {
  const dir = mkdtempSync(path.join(os.tmpdir(), dirPrefix));
  try {
    const azurite = await startAzurite({ location: dir });
    return {
      azurite,
      connectionString: azurite.connectionString,
      async stop() {
        await azurite.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The local host serving the functions already imported, on the given storage, polling quickly. */
export function startTestHost(connectionString: string, hostId: string): Promise<LocalHost> {
  return startLocalHost({
    appDir: APP_DIR,
    port: 0,
    host: '127.0.0.1',
    settings: { AzureWebJobsStorage: connectionString, AzureFunctionsWebHost__hostid: hostId },
    log: () => undefined,
    tuning: { blobPollIntervalMs: 100, queueMinPollingIntervalMs: 50, shutdownTimeoutMs: 10_000 },
  });
}

/** What a loopback server answers for one path. */
export interface ServedAnswer {
  readonly status?: number;
  readonly body?: Uint8Array;
  readonly contentType?: string;
  readonly location?: string;
  readonly disposition?: string;
}

export interface LoopbackServer {
  readonly server: Server;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  close(): Promise<void>;
}

/** A loopback HTTP server answering from `served` by path (read on each request), 404 for anything else. */
export async function startLoopbackServer(served: ReadonlyMap<string, ServedAnswer>): Promise<LoopbackServer> {
  const server = createServer((request, response) => {
    const answer = served.get(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    if (answer === undefined) {
      response.statusCode = 404;
      response.end();
      return;
    }
    response.statusCode = answer.status ?? 200;
    if (answer.location !== undefined) response.setHeader('location', answer.location);
    if (answer.contentType !== undefined) response.setHeader('content-type', answer.contentType);
    if (answer.disposition !== undefined) response.setHeader('content-disposition', answer.disposition);
    response.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Calls the host over HTTP with an API key (the given one, or `defaultKey`) and a JSON body (if any); an empty reply reads as `{}`. */
export function hostCaller(hostUrl: () => string, defaultKey: string) {
  return async (method: string, route: string, body?: unknown, apiKey = defaultKey): Promise<{ status: number; json: Json; headers: Headers }> => {
    const response = await fetch(`${hostUrl()}/${route}`, {
      method,
      headers: { 'x-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text === '' ? {} : (JSON.parse(text) as Json), headers: response.headers };
  };
}

/** The names of the blobs under a prefix, sorted. */
export async function listBlobNames(container: ContainerClient, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const item of container.listBlobsFlat({ prefix })) names.push(item.name);
  return names.sort();
}

/** Sends a JSON message base64-encoded, as the functions' queue triggers expect, creating the queue if need be. */
export async function sendBase64(queues: QueueServiceClient, queueName: string, message: unknown): Promise<void> {
  const queue = queues.getQueueClient(queueName);
  await queue.createIfNotExists();
  await queue.sendMessage(Buffer.from(JSON.stringify(message), 'utf8').toString('base64'));
}

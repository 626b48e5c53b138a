import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { installFunctionsCore } from '../../local/functions-core/index.js';
import { startLocalHost, type LocalHost } from '../../local/host/index.js';
import { delay, waitFor } from '../fixtures/host-app/wait-for.js';
import type { BlobCall } from '../fixtures/host-app/blob-app.js';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/host-app');
const connectionString = inject('storageConnectionString');
const blobService = BlobServiceClient.fromConnectionString(connectionString);
const queueService = QueueServiceClient.fromConnectionString(connectionString);
const pollIntervalMs = 100;

let blobCalls: BlobCall[];
let host: LocalHost | undefined;

function uniqueSettings(): Record<string, string> {
  const suffix = randomUUID().slice(0, 8);
  return {
    BLOB_CONTAINER: `uploads-${suffix}`,
    BLOB_FAIL_CONTAINER: `failing-${suffix}`,
    // A host id per test keeps receipts of parallel runs apart, as separate function apps would be.
    AzureFunctionsWebHost__hostid: `blob-test-${suffix}`,
  };
}

async function start(settings: Record<string, string>): Promise<LocalHost> {
  host = await startLocalHost({
    appDir,
    port: 0,
    host: '127.0.0.1',
    settings: { TestStorage: connectionString, ...settings },
    log: () => undefined,
    tuning: { blobPollIntervalMs: pollIntervalMs, shutdownTimeoutMs: 10_000 },
  });
  return host;
}

async function upload(container: string, name: string, text: string, metadata?: Record<string, string>): Promise<void> {
  await blobService.getContainerClient(container).createIfNotExists();
  await blobService.getContainerClient(container).getBlockBlobClient(name).upload(text, Buffer.byteLength(text), {
    metadata,
    blobHTTPHeaders: { blobContentType: 'text/plain' },
  });
}

const callsFor = (container: string, blobName: string) =>
  blobCalls.filter((c) => c.metadata['blobTrigger'] === `${container}/${blobName}`);

beforeAll(async () => {
  installFunctionsCore();
  ({ blobCalls } = await import('../fixtures/host-app/blob-app.js'));
});

afterEach(async () => {
  await host?.stop();
  host = undefined;
});

describe('local host blob trigger', () => {
  it('when a blob matches the path, the function gets its bytes and the bound names', async () => {
    const settings = uniqueSettings();
    const container = settings['BLOB_CONTAINER']!;
    await start(settings);
    await upload(container, 'docs/report.final.txt', 'quarterly numbers', { origin: 'test' });

    const call = await waitFor(() => callsFor(container, 'docs/report.final.txt')[0], 'the blob invocation');
    expect(call.content).toBe('quarterly numbers');
    expect(call.metadata).toMatchObject({
      folder: 'docs',
      name: 'report.final',
      ext: 'txt',
      blobTrigger: `${container}/docs/report.final.txt`,
      metadata: { origin: 'test' },
    });
    expect(String(call.metadata['uri'])).toMatch(new RegExp(`/${container}/docs/report\\.final\\.txt$`));
    expect(call.metadata['properties']).toMatchObject({ contentLength: 17, contentType: 'text/plain' });

    const etag = (await blobService.getContainerClient(container).getBlobClient('docs/report.final.txt').getProperties())
      .etag!;
    const receipts: string[] = [];
    const prefix = `blobreceipts/${settings['AzureFunctionsWebHost__hostid']}/blobRecorder/`;
    for await (const item of blobService.getContainerClient('azure-webjobs-hosts').listBlobsFlat({ prefix })) {
      receipts.push(item.name);
    }
    expect(receipts).toEqual([`${prefix}${etag}/${container}/docs/report.final.txt`]);
  });

  it('when the host restarts, a processed blob is not triggered again but an overwrite is', async () => {
    const settings = uniqueSettings();
    const container = settings['BLOB_CONTAINER']!;
    const first = await start(settings);
    await upload(container, 'a/one.txt', 'v1');
    await waitFor(() => callsFor(container, 'a/one.txt').length === 1, 'the first invocation');
    await first.stop();

    await start(settings);
    // A blob uploaded after the restart marks the point by which the first one would have been rescanned.
    await upload(container, 'a/two.txt', 'later');
    await waitFor(() => callsFor(container, 'a/two.txt').length === 1, 'the blob uploaded after the restart');
    await delay(pollIntervalMs * 3);
    expect(callsFor(container, 'a/one.txt')).toHaveLength(1);

    await upload(container, 'a/one.txt', 'v2');
    await waitFor(() => callsFor(container, 'a/one.txt').length === 2, 'the overwrite to trigger');
    expect(callsFor(container, 'a/one.txt').map((c) => c.content)).toEqual(['v1', 'v2']);
    expect(callsFor(container, 'a/two.txt')).toHaveLength(1);
  });

  it('when the function keeps failing, it is tried 5 times and the blob is reported on webjobs-blobtrigger-poison', async () => {
    const settings = uniqueSettings();
    const container = settings['BLOB_FAIL_CONTAINER']!;
    await start(settings);
    await upload(container, 'broken.bin', 'cannot process');

    const poisonQueue = queueService.getQueueClient('webjobs-blobtrigger-poison');
    const report = await waitFor(
      async () => {
        if (!(await poisonQueue.exists())) return undefined;
        const peeked = await poisonQueue.peekMessages({ numberOfMessages: 32 });
        return peeked.peekedMessageItems
          .map((m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as Record<string, unknown>)
          .find((m) => m['ContainerName'] === container);
      },
      'the poison report',
      20_000,
    );
    const properties = await blobService.getContainerClient(container).getBlobClient('broken.bin').getProperties();
    expect(report).toEqual({
      Type: 'BlobTrigger',
      FunctionId: 'Host.Functions.blobFailing',
      BlobType: 'BlockBlob',
      ContainerName: container,
      BlobName: 'broken.bin',
      ETag: properties.etag,
    });
    await delay(pollIntervalMs * 3);
    expect(callsFor(container, 'broken.bin')).toHaveLength(5);
  });

  it('when retries are under way and the host restarts, the count continues from the receipt', async () => {
    const settings = uniqueSettings();
    const container = settings['BLOB_FAIL_CONTAINER']!;
    const first = await start(settings);
    await upload(container, 'flaky.bin', 'still broken');
    await waitFor(() => callsFor(container, 'flaky.bin').length >= 2, 'two failed tries');
    await first.stop();
    const triesBeforeRestart = callsFor(container, 'flaky.bin').length;

    await start(settings);
    await waitFor(() => callsFor(container, 'flaky.bin').length === 5, 'the remaining tries');
    await delay(pollIntervalMs * 3);
    expect(callsFor(container, 'flaky.bin')).toHaveLength(5);
    expect(triesBeforeRestart).toBeLessThan(5);
  });
});

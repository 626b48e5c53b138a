import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { installFunctionsCore } from '../../local/functions-core/index.js';
import { HostStartupError, startLocalHost, type LocalHost } from '../../local/host/index.js';
import { waitFor } from '../fixtures/host-app/wait-for.js';
import type { QueueCall } from '../fixtures/host-app/queue-app.js';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/host-app');
const connectionString = inject('storageConnectionString');
const queueService = QueueServiceClient.fromConnectionString(connectionString);

let queueCalls: QueueCall[];
let host: LocalHost | undefined;

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

function uniqueQueues(): Record<string, string> {
  const suffix = randomUUID().slice(0, 8);
  return { QUEUE_OK: `ok-${suffix}`, QUEUE_FAIL: `fail-${suffix}`, QUEUE_SLOW: `slow-${suffix}` };
}

async function start(queues: Record<string, string>, dir = appDir, leaseMs?: number): Promise<LocalHost> {
  host = await startLocalHost({
    appDir: dir,
    port: 0,
    host: '127.0.0.1',
    settings: { TestStorage: connectionString, ...queues },
    log: () => undefined,
    tuning: { queueMinPollingIntervalMs: 50, shutdownTimeoutMs: 10_000, ...(leaseMs ? { queueMessageLeaseMs: leaseMs } : {}) },
  });
  return host;
}

async function messageCount(queueName: string): Promise<number> {
  const properties = await queueService.getQueueClient(queueName).getProperties();
  return properties.approximateMessagesCount ?? 0;
}

beforeAll(async () => {
  installFunctionsCore();
  ({ queueCalls } = await import('../fixtures/host-app/queue-app.js'));
});

afterEach(async () => {
  await host?.stop();
  host = undefined;
});

describe('local host queue trigger', () => {
  it('when a base64 JSON message arrives, the function gets it parsed once with its metadata, then it is deleted', async () => {
    const queues = uniqueQueues();
    await start(queues);
    const queue = queueService.getQueueClient(queues['QUEUE_OK']!);
    const sent = await queue.sendMessage(base64(JSON.stringify({ kind: 'greeting', n: 1 })));

    const call = await waitFor(
      () => queueCalls.find((c) => c.functionName === 'queueRecorder' && c.id === sent.messageId),
      'the queue invocation',
    );
    expect(call.message).toEqual({ kind: 'greeting', n: 1 });
    expect(call.dequeueCount).toBe(1);
    expect(typeof call.popReceipt).toBe('string');
    expect(new Date(String(call.insertionTime)).getTime()).toBe(sent.insertedOn.getTime());
    await waitFor(async () => (await messageCount(queues['QUEUE_OK']!)) === 0, 'the message to be deleted');
    expect(queueCalls.filter((c) => c.id === sent.messageId)).toHaveLength(1);
  });

  it('when the handler keeps failing, the message is tried maxDequeueCount times and then lands in <queue>-poison', async () => {
    const queues = uniqueQueues();
    await start(queues);
    const text = base64('not json, just text');
    const sent = await queueService.getQueueClient(queues['QUEUE_FAIL']!).sendMessage(text);

    const poison = queueService.getQueueClient(`${queues['QUEUE_FAIL']}-poison`);
    const poisoned = await waitFor(
      async () => {
        if (!(await poison.exists())) return undefined;
        const peeked = await poison.peekMessages({ numberOfMessages: 32 });
        return peeked.peekedMessageItems[0];
      },
      'the poison message',
      20_000,
    );
    expect(poisoned.messageText).toBe(text);
    const tries = queueCalls.filter((c) => c.id === sent.messageId);
    expect(tries.map((c) => c.dequeueCount)).toEqual([1, 2, 3, 4, 5]);
    expect(tries[0]!.message).toBe('not json, just text');
    await waitFor(async () => (await messageCount(queues['QUEUE_FAIL']!)) === 0, 'the source queue to be empty');
  });

  it('when host.json says messageEncoding none, raw JSON text arrives parsed', async () => {
    const queues = uniqueQueues();
    await start(queues, path.join(appDir, 'no-encoding'));
    const sent = await queueService.getQueueClient(queues['QUEUE_OK']!).sendMessage('{"raw":true}');
    const call = await waitFor(() => queueCalls.find((c) => c.id === sent.messageId), 'the queue invocation');
    expect(call.message).toEqual({ raw: true });
    await waitFor(async () => (await messageCount(queues['QUEUE_OK']!)) === 0, 'the message to be deleted');
  });

  it('when base64 is expected but the message is not base64, it is never handed to the function and ends in poison', async () => {
    const queues = uniqueQueues();
    await start(queues);
    const sent = await queueService.getQueueClient(queues['QUEUE_OK']!).sendMessage('{"raw":true}');
    const poison = queueService.getQueueClient(`${queues['QUEUE_OK']}-poison`);
    await waitFor(
      async () => (await poison.exists()) && (await poison.peekMessages()).peekedMessageItems[0]?.messageText === '{"raw":true}',
      'the undecodable message in poison',
      20_000,
    );
    expect(queueCalls.filter((c) => c.id === sent.messageId)).toHaveLength(0);
  });

  it('when an invocation outlasts the lease, renewals keep the message hidden so it runs once', async () => {
    const queues = uniqueQueues();
    await start(queues, appDir, 1_000);
    const sent = await queueService.getQueueClient(queues['QUEUE_SLOW']!).sendMessage(base64('"slow"'));
    await waitFor(() => queueCalls.find((c) => c.id === sent.messageId), 'the slow invocation to start');
    await waitFor(async () => (await messageCount(queues['QUEUE_SLOW']!)) === 0, 'the slow message to be deleted');
    expect(queueCalls.filter((c) => c.id === sent.messageId).map((c) => c.dequeueCount)).toEqual([1]);
  });

  it('when the connection setting is missing, start-up fails naming it', async () => {
    const attempt = startLocalHost({ appDir, port: 0, settings: uniqueQueues(), log: () => undefined });
    await expect(attempt).rejects.toBeInstanceOf(HostStartupError);
    await expect(attempt).rejects.toThrow(/"TestStorage"/);
  });

  it('when the host stops while a message is being processed, the invocation finishes and the message is deleted', async () => {
    const queues = uniqueQueues();
    const running = await start(queues, appDir, 1_000);
    const sent = await queueService.getQueueClient(queues['QUEUE_SLOW']!).sendMessage(base64('"stop me"'));
    await waitFor(() => queueCalls.find((c) => c.id === sent.messageId), 'the slow invocation to start');
    await running.stop();
    expect(await messageCount(queues['QUEUE_SLOW']!)).toBe(0);
  });
});

import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { CosmosClient } from '@azure/cosmos';
import { QueueServiceClient } from '@azure/storage-queue';
import { describe, expect, inject, it } from 'vitest';

describe('local emulators', () => {
  it('serves Cosmos DB over TLS that only a client trusting its certificate accepts', async () => {
    const endpoint = inject('cosmosEndpoint');
    const trusting = new CosmosClient({
      endpoint,
      key: inject('cosmosKey'),
      agent: new Agent({ ca: readFileSync(inject('cosmosCertFile')) }),
    });
    const { database } = await trusting.databases.createIfNotExists({ id: 'emulator-check' });
    const { container } = await database.containers.createIfNotExists({ id: 'c', partitionKey: { paths: ['/pk'] } });
    await container.items.create({ id: 'a', pk: 'p', value: 1 });
    const { resource } = await container.item('a', 'p').read<{ value: number }>();
    expect(resource?.value).toBe(1);

    const untrusting = new CosmosClient({ endpoint, key: inject('cosmosKey'), connectionPolicy: { retryOptions: { maxRetryAttemptCount: 0, fixedRetryIntervalInMilliseconds: 0, maxWaitTimeInSeconds: 1 } } });
    await expect(untrusting.databases.readAll().fetchAll()).rejects.toThrow();
  });

  it('serves storage queues from Azurite', async () => {
    const service = QueueServiceClient.fromConnectionString(inject('storageConnectionString'));
    const queue = service.getQueueClient('emulator-check');
    await queue.createIfNotExists();
    await queue.sendMessage('hello');
    const { receivedMessageItems } = await queue.receiveMessages();
    expect(receivedMessageItems[0]?.messageText).toBe('hello');
  });
});

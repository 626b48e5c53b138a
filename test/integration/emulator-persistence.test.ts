import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, describe, expect, it } from 'vitest';
import { startAzurite } from '../../local/emulators/azurite.js';
import { loadCosmosSnapshot, writeCosmosSnapshot } from '../../local/emulators/cosmos-snapshot.js';
import { startCosmosServer } from '../../local/emulators/cosmos.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'companion-persist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('local data across a restart', () => {
  it('keeps a blob when Azurite stops and starts again on the same folder', async () => {
    const location = path.join(root, 'azurite');
    const first = await startAzurite({ location });
    const container = BlobServiceClient.fromConnectionString(first.connectionString).getContainerClient('keep');
    await container.createIfNotExists();
    await container.getBlockBlobClient('a.txt').upload('kept', 4);
    await first.stop();

    const second = await startAzurite({ location });
    try {
      const again = BlobServiceClient.fromConnectionString(second.connectionString).getContainerClient('keep');
      const body = await again.getBlockBlobClient('a.txt').downloadToBuffer();
      expect(body.toString()).toBe('kept');
    } finally {
      await second.stop();
    }
  });

  it('carries every Cosmos database, container and document through a snapshot', async () => {
    const certDir = path.join(root, 'cosmos');
    const snapshotFile = path.join(root, 'snapshot.json');
    const clientFor = (server: { endpoint: string; key: string; certFile: string }): CosmosClient =>
      new CosmosClient({ endpoint: server.endpoint, key: server.key, agent: new Agent({ ca: readFileSync(server.certFile) }) });

    const first = await startCosmosServer({ certDir });
    const a = clientFor(first);
    const { database } = await a.databases.createIfNotExists({ id: 'keep' });
    const { container } = await database.containers.createIfNotExists({ id: 'things', partitionKey: { paths: ['/tenant'] } });
    await container.items.create({ id: 'x', tenant: 't1', n: 1 });
    await container.items.create({ id: 'y', tenant: 't2', n: 2 });
    expect(await writeCosmosSnapshot(a, snapshotFile)).toBe(2);
    a.dispose();
    await first.stop();

    const second = await startCosmosServer({ certDir });
    const b = clientFor(second);
    try {
      expect(await loadCosmosSnapshot(b, snapshotFile)).toBe(2);
      const { resource } = await b.database('keep').container('things').item('y', 't2').read<{ n: number }>();
      expect(resource?.n).toBe(2);
      const { resource: def } = await b.database('keep').container('things').read();
      expect(def?.partitionKey?.paths).toEqual(['/tenant']);
    } finally {
      b.dispose();
      await second.stop();
    }
  });
});

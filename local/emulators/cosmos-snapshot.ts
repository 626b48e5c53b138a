import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { CosmosClient, PartitionKeyDefinition } from '@azure/cosmos';

/**
 * The local Cosmos server keeps documents in memory only. These two functions carry every database, container
 * and document across a restart by writing a snapshot file on shutdown (and periodically) and loading it at start.
 */

interface ContainerSnapshot {
  readonly id: string;
  readonly partitionKey: PartitionKeyDefinition | undefined;
  readonly documents: Record<string, unknown>[];
}

interface DatabaseSnapshot {
  readonly id: string;
  readonly containers: ContainerSnapshot[];
}

interface Snapshot {
  readonly version: 1;
  readonly takenAt: string;
  readonly databases: DatabaseSnapshot[];
}

const SYSTEM_PROPERTIES = ['_rid', '_self', '_etag', '_attachments', '_ts'];

function withoutSystemProperties(doc: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...doc };
  for (const key of SYSTEM_PROPERTIES) delete copy[key];
  return copy;
}

export async function writeCosmosSnapshot(client: CosmosClient, file: string): Promise<number> {
  const databases: DatabaseSnapshot[] = [];
  let count = 0;
  const { resources: dbs } = await client.databases.readAll().fetchAll();
  for (const db of dbs) {
    const database = client.database(db.id);
    const { resources: containers } = await database.containers.readAll().fetchAll();
    const containerSnapshots: ContainerSnapshot[] = [];
    for (const c of containers) {
      const { resources } = await database
        .container(c.id)
        .items.readAll<Record<string, unknown>>()
        .fetchAll();
      count += resources.length;
      containerSnapshots.push({
        id: c.id,
        partitionKey: c.partitionKey,
        documents: resources.map(withoutSystemProperties),
      });
    }
    databases.push({ id: db.id, containers: containerSnapshots });
  }
  const snapshot: Snapshot = { version: 1, takenAt: new Date().toISOString(), databases };
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(snapshot));
  renameSync(tmp, file);
  return count;
}

export async function loadCosmosSnapshot(client: CosmosClient, file: string): Promise<number> {
  if (!existsSync(file)) return 0;
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  if (snapshot.version !== 1) throw new Error(`Unknown Cosmos snapshot version in ${file}`);
  let count = 0;
  for (const db of snapshot.databases) {
    const { database } = await client.databases.createIfNotExists({ id: db.id });
    for (const c of db.containers) {
      const { container } = await database.containers.createIfNotExists({
        id: c.id,
        ...(c.partitionKey ? { partitionKey: c.partitionKey } : {}),
      });
      for (const doc of c.documents) {
        await container.items.upsert(doc);
        count += 1;
      }
    }
  }
  return count;
}

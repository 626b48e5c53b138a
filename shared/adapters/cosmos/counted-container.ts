import type { Container, ItemDefinition, PartitionKey, PatchOperation, SqlQuerySpec } from '@azure/cosmos';
import { ConflictError, PreconditionFailedError } from '../../domain/errors.js';

let operationCount = 0;

/**
 * Cosmos DB requests made by this process through the repositories (each point operation and each query page
 * counts one). The benchmark reads it to check "at most one store operation per authenticated request".
 */
export function cosmosOperationCount(): number {
  return operationCount;
}

export function resetCosmosOperationCount(): void {
  operationCount = 0;
}

/** A stored document as read back: the fields we wrote plus Cosmos system properties, parsed by the caller. */
export type StoredDocument = Record<string, unknown> & { readonly _etag?: string };

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
  if (typeof statusCode === 'number') return statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** Internal conflict messages stay generic: the repository that knows the resource supplies a better one. */
function mapWriteError(err: unknown): unknown {
  const status = statusOf(err);
  if (status === 409) return new ConflictError('The resource already exists.');
  if (status === 412) return new PreconditionFailedError();
  return err;
}

/**
 * The one way repositories reach Cosmos DB: names the partition key on every point operation, maps the status codes
 * the domain cares about (404 → undefined, 409 → ConflictError, 412 → PreconditionFailedError), and counts requests.
 */
export class CountedContainer {
  constructor(readonly container: Container) {}

  async read(id: string, partitionKey: PartitionKey): Promise<StoredDocument | undefined> {
    operationCount += 1;
    const response = await this.container.item(id, partitionKey).read<ItemDefinition>();
    if (response.statusCode === 404 || response.resource === undefined) return undefined;
    return response.resource as StoredDocument;
  }

  /** Create-only write: the basis of idempotency for anything with a deterministic id. */
  async create(document: ItemDefinition): Promise<StoredDocument> {
    operationCount += 1;
    try {
      const { resource } = await this.container.items.create(document);
      return resource as StoredDocument;
    } catch (err) {
      throw mapWriteError(err);
    }
  }

  async replace(id: string, partitionKey: PartitionKey, document: ItemDefinition, etag: string): Promise<StoredDocument> {
    operationCount += 1;
    try {
      const { resource } = await this.container
        .item(id, partitionKey)
        .replace(document, { accessCondition: { type: 'IfMatch', condition: etag } });
      return resource as StoredDocument;
    } catch (err) {
      // A document deleted since it was read has "changed since read" too.
      if (statusOf(err) === 404) throw new PreconditionFailedError();
      throw mapWriteError(err);
    }
  }

  /**
   * A partial update in one request. With `condition` (a Cosmos filter predicate such as
   * `FROM c WHERE ARRAY_LENGTH(c.open) < 5`) it applies only while the condition holds: a conditional write without a
   * read. Undefined when the document does not exist; PreconditionFailedError when the condition does not hold.
   */
  async patch(id: string, partitionKey: PartitionKey, operations: PatchOperation[], condition?: string): Promise<StoredDocument | undefined> {
    operationCount += 1;
    try {
      const { resource, statusCode } = await this.container.item(id, partitionKey).patch(condition === undefined ? operations : { condition, operations });
      if (statusCode === 404) return undefined;
      return resource as StoredDocument;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw mapWriteError(err);
    }
  }

  async upsert(document: ItemDefinition): Promise<void> {
    operationCount += 1;
    await this.container.items.upsert(document);
  }

  /** Idempotent: deleting what is gone succeeds. With an ETag, deletes only that version. */
  async delete(id: string, partitionKey: PartitionKey, etag?: string): Promise<void> {
    operationCount += 1;
    try {
      await this.container
        .item(id, partitionKey)
        .delete(etag === undefined ? undefined : { accessCondition: { type: 'IfMatch', condition: etag } });
    } catch (err) {
      if (statusOf(err) === 404) return;
      throw mapWriteError(err);
    }
  }

  /**
   * Runs a query to the end. `partitionKey` scopes it to one logical partition; leave it out only for the few
   * deliberate cross-partition queries. The query text must filter on the partition key field as well: the local
   * Cosmos server ignores the scope, and tenant isolation must not depend on which server answers.
   */
  async query(spec: SqlQuerySpec, partitionKey: PartitionKey | undefined): Promise<StoredDocument[]> {
    const iterator = this.container.items.query<StoredDocument>(
      spec,
      partitionKey === undefined ? {} : { partitionKey },
    );
    const results: StoredDocument[] = [];
    while (iterator.hasMoreResults()) {
      operationCount += 1;
      const page = await iterator.fetchNext();
      results.push(...page.resources);
    }
    return results;
  }

  /** `SELECT VALUE COUNT(1) ...` */
  async count(spec: SqlQuerySpec, partitionKey: PartitionKey | undefined): Promise<number> {
    const iterator = this.container.items.query<number>(spec, partitionKey === undefined ? {} : { partitionKey });
    let total = 0;
    while (iterator.hasMoreResults()) {
      operationCount += 1;
      const page = await iterator.fetchNext();
      for (const value of page.resources) total += value;
    }
    return total;
  }
}

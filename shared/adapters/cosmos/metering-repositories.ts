import { z } from 'zod';
import type {
  MeteringBatch,
  MeteringBatchRepository,
  MeteringCarry,
  MeteringEvent,
  MeteringEventRepository,
  MeteringReconciliation,
  MeteringReconciliationRepository,
  NewMeteringBatch,
  NewMeteringEvent,
} from '../../domain/metering.js';
import { USAGE_DIMENSIONS, type UsageDimension } from '../../domain/usage-prices.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';

const EVENTS = 'metering-events';
const BATCHES = 'metering-batches';
const RECONCILIATIONS = 'metering-reconciliations';

const dimensionSchema = z.enum(USAGE_DIMENSIONS);
const quantity = z.number().int().min(0);
const carriedSchema = z.object({ fromEventId: z.string(), quantity });

const eventDocument = z.object({
  id: z.string(),
  type: z.literal('event'),
  resourceId: z.string(),
  orgId: z.string(),
  dimension: dimensionSchema,
  hour: z.string(),
  usageMinutes: quantity,
  carried: z.array(carriedSchema),
  quantity,
  planId: z.string(),
  state: z.enum(['open', 'accepted', 'conflict', 'expired', 'rejected']),
  createdAt: z.string(),
  updatedAt: z.string(),
  usageEventId: z.string().optional(),
  marketplaceQuantity: z.number().optional(),
  status: z.string().optional(),
  reason: z.string().optional(),
  _etag: z.string(),
});

const carryDocument = z.object({
  id: z.string(),
  type: z.literal('carry'),
  resourceId: z.string(),
  orgId: z.string(),
  dimension: dimensionSchema,
  entries: z.array(
    carriedSchema.extend({ addedAt: z.string(), consumedBy: z.string().optional(), consumedAt: z.string().optional() }),
  ),
  _etag: z.string(),
});

const carryIdOf = (dimension: UsageDimension) => `carry:${dimension}`;

function toEvent(document: unknown): MeteringEvent {
  const { _etag, type: _type, ...e } = parseDocument(eventDocument, document, EVENTS);
  return { ...e, etag: _etag };
}

function eventToDocument(e: NewMeteringEvent) {
  return {
    id: e.id,
    type: 'event' as const,
    resourceId: e.resourceId,
    orgId: e.orgId,
    dimension: e.dimension,
    hour: e.hour,
    usageMinutes: e.usageMinutes,
    carried: e.carried,
    quantity: e.quantity,
    planId: e.planId,
    state: e.state,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    usageEventId: e.usageEventId,
    marketplaceQuantity: e.marketplaceQuantity,
    status: e.status,
    reason: e.reason,
  };
}

function toCarry(document: unknown): MeteringCarry {
  const { _etag, type: _type, id: _id, ...c } = parseDocument(carryDocument, document, EVENTS);
  return { ...c, etag: _etag };
}

/** Events (`<dimension>:<hour>`) and expired-quantity carries (`carry:<dimension>`) in the resource's partition. */
export class CosmosMeteringEventRepository implements MeteringEventRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(resourceId: string, eventId: string): Promise<MeteringEvent | undefined> {
    const document = await this.container.read(eventId, resourceId);
    return document === undefined ? undefined : toEvent(document);
  }

  async create(event: NewMeteringEvent): Promise<MeteringEvent> {
    return toEvent(await this.container.create(eventToDocument(event)));
  }

  async replace(event: MeteringEvent): Promise<MeteringEvent> {
    return toEvent(await this.container.replace(event.id, event.resourceId, eventToDocument(event), event.etag));
  }

  async listOpen(): Promise<MeteringEvent[]> {
    // Across partitions, by the submission timer only.
    const documents = await this.container.query({ query: "SELECT * FROM c WHERE c.type = 'event' AND c.state = 'open'" }, undefined);
    return documents.map(toEvent);
  }

  async listBetween(from: string, to: string): Promise<MeteringEvent[]> {
    const documents = await this.container.query(
      {
        query: "SELECT * FROM c WHERE c.type = 'event' AND c.hour >= @from AND c.hour < @to",
        parameters: [
          { name: '@from', value: from },
          { name: '@to', value: to },
        ],
      },
      undefined,
    );
    return documents.map(toEvent);
  }

  async getCarry(resourceId: string, dimension: UsageDimension): Promise<MeteringCarry | undefined> {
    const document = await this.container.read(carryIdOf(dimension), resourceId);
    return document === undefined ? undefined : toCarry(document);
  }

  async saveCarry(carry: Omit<MeteringCarry, 'etag'> & { readonly etag?: string | undefined }): Promise<MeteringCarry> {
    const document = {
      id: carryIdOf(carry.dimension),
      type: 'carry' as const,
      resourceId: carry.resourceId,
      orgId: carry.orgId,
      dimension: carry.dimension,
      entries: carry.entries,
    };
    if (carry.etag === undefined) return toCarry(await this.container.create(document));
    return toCarry(await this.container.replace(document.id, carry.resourceId, document, carry.etag));
  }

  async listCarries(): Promise<MeteringCarry[]> {
    const documents = await this.container.query({ query: "SELECT * FROM c WHERE c.type = 'carry'" }, undefined);
    return documents.map(toCarry);
  }
}

const itemSchema = z.object({
  resourceId: z.string(),
  eventId: z.string(),
  dimension: dimensionSchema,
  hour: z.string(),
  quantity,
  planId: z.string(),
});

const batchDocument = z.object({
  id: z.string(),
  state: z.enum(['pending', 'done']),
  items: z.array(itemSchema),
  attempts: z.number().int().min(0),
  lastError: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  _etag: z.string(),
});

function toBatch(document: unknown): MeteringBatch {
  const { _etag, ...b } = parseDocument(batchDocument, document, BATCHES);
  return { ...b, etag: _etag };
}

function batchToDocument(b: NewMeteringBatch) {
  return {
    id: b.id,
    state: b.state,
    items: b.items,
    attempts: b.attempts,
    lastError: b.lastError,
    createdAt: b.createdAt,
    updatedAt: b.updatedAt,
  };
}

/** One document per `batchUsageEvent` call (partition = its id). */
export class CosmosMeteringBatchRepository implements MeteringBatchRepository {
  constructor(private readonly container: CountedContainer) {}

  async create(batch: NewMeteringBatch): Promise<MeteringBatch> {
    return toBatch(await this.container.create(batchToDocument(batch)));
  }

  async replace(batch: MeteringBatch): Promise<MeteringBatch> {
    return toBatch(await this.container.replace(batch.id, batch.id, batchToDocument(batch), batch.etag));
  }

  async listPending(): Promise<MeteringBatch[]> {
    const documents = await this.container.query({ query: "SELECT * FROM c WHERE c.state = 'pending' ORDER BY c.createdAt" }, undefined);
    return documents.map(toBatch);
  }
}

const differenceSchema = z.object({
  resourceId: z.string(),
  dimension: z.string(),
  kind: z.enum(['acceptedVsReported', 'conflict', 'usageAfterFreeze', 'rejected']),
  ours: z.number(),
  theirs: z.number(),
  hour: z.string().optional(),
  detail: z.string().optional(),
});

const reconciliationDocument = z.object({
  id: z.string(),
  day: z.string(),
  checkedAt: z.string(),
  resources: z.number().int().min(0),
  acceptedQuantity: z.number(),
  reportedQuantity: z.number(),
  differences: z.array(differenceSchema),
});

/** One document per reconciled UTC day (partition = the day); a later run of the same day replaces it. */
export class CosmosMeteringReconciliationRepository implements MeteringReconciliationRepository {
  constructor(private readonly container: CountedContainer) {}

  async save(reconciliation: MeteringReconciliation): Promise<void> {
    await this.container.upsert({ id: reconciliation.day, ...reconciliation });
  }

  async get(day: string): Promise<MeteringReconciliation | undefined> {
    const document = await this.container.read(day, day);
    if (document === undefined) return undefined;
    const { id: _id, ...r } = parseDocument(reconciliationDocument, document, RECONCILIATIONS);
    return r;
  }
}

import { z } from 'zod';
import { ConflictError } from '../../domain/errors.js';
import {
  type NewUsageContribution,
  type NewUsageHour,
  type SessionRef,
  type UsageContribution,
  type UsageContributionRepository,
  type UsageHour,
  type UsageHourRepository,
  type UsageSessionSource,
} from '../../domain/usage.js';
import { USAGE_DIMENSIONS, type UsageDimension } from '../../domain/usage-prices.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';

const CONTRIBUTIONS = 'usage-contributions';
const HOURS = 'usage-hours';
/** The partition of the markers that say an hour's sessions were all recorded and its events frozen. */
const SETTLED_SCOPE = 'settled';

const dimensionSchema = z.enum(USAGE_DIMENSIONS);
const resourceKindSchema = z.enum(['marketplaceSubscription', 'organization']);
const count = z.number().int().min(0);

const contributionDocument = z.object({
  id: z.string(),
  sessionId: z.string(),
  hour: z.string(),
  projectId: z.string(),
  orgId: z.string(),
  resourceId: z.string(),
  resourceKind: resourceKindSchema,
  planId: z.string().optional(),
  dimension: dimensionSchema,
  seconds: count,
  minutes: count,
  final: z.boolean(),
  revision: z.number().int().min(1),
  recordedAt: z.string(),
  _etag: z.string(),
});

function toContribution(document: unknown): UsageContribution {
  const { _etag, id: _id, ...c } = parseDocument(contributionDocument, document, CONTRIBUTIONS);
  return { ...c, etag: _etag };
}

function contributionToDocument(c: NewUsageContribution) {
  return {
    id: c.hour,
    sessionId: c.sessionId,
    hour: c.hour,
    projectId: c.projectId,
    orgId: c.orgId,
    resourceId: c.resourceId,
    resourceKind: c.resourceKind,
    planId: c.planId,
    dimension: c.dimension,
    seconds: c.seconds,
    minutes: c.minutes,
    final: c.final,
    revision: c.revision,
    recordedAt: c.recordedAt,
  };
}

/** One document per session and hour, in the session's partition (id = the hour). */
export class CosmosUsageContributionRepository implements UsageContributionRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(sessionId: string, hour: string): Promise<UsageContribution | undefined> {
    const document = await this.container.read(hour, sessionId);
    return document === undefined ? undefined : toContribution(document);
  }

  async listForHour(hour: string): Promise<UsageContribution[]> {
    // Deliberately across partitions: once per settled hour, by the submission timer.
    const documents = await this.container.query({ query: 'SELECT * FROM c WHERE c.hour = @hour', parameters: [{ name: '@hour', value: hour }] }, undefined);
    return documents.map(toContribution);
  }

  async listForSession(sessionId: string): Promise<UsageContribution[]> {
    const documents = await this.container.query(
      { query: 'SELECT * FROM c WHERE c.sessionId = @sessionId', parameters: [{ name: '@sessionId', value: sessionId }] },
      sessionId,
    );
    return documents.map(toContribution);
  }

  async create(contribution: NewUsageContribution): Promise<UsageContribution> {
    try {
      return toContribution(await this.container.create(contributionToDocument(contribution)));
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError('The session already has a contribution to this hour.');
      throw err;
    }
  }

  async replace(contribution: UsageContribution): Promise<UsageContribution> {
    return toContribution(
      await this.container.replace(contribution.hour, contribution.sessionId, contributionToDocument(contribution), contribution.etag),
    );
  }
}

const appliedSchema = z.object({ seconds: count, minutes: count, revision: z.number().int().min(1), final: z.boolean() });

const hourDocument = z.object({
  id: z.string(),
  scope: z.string(),
  dimension: dimensionSchema,
  hour: z.string(),
  orgId: z.string(),
  projectId: z.string().optional(),
  resourceId: z.string().optional(),
  resourceKind: resourceKindSchema.optional(),
  planId: z.string().optional(),
  seconds: count,
  minutes: count,
  sessions: z.record(z.string(), appliedSchema),
  updatedAt: z.string(),
  _etag: z.string(),
});

const hourIdOf = (dimension: UsageDimension, hour: string) => `${dimension}:${hour}`;

function toHour(document: unknown): UsageHour {
  const { _etag, id: _id, ...h } = parseDocument(hourDocument, document, HOURS);
  return { ...h, etag: _etag };
}

function hourToDocument(h: NewUsageHour) {
  return {
    id: hourIdOf(h.dimension, h.hour),
    scope: h.scope,
    dimension: h.dimension,
    hour: h.hour,
    orgId: h.orgId,
    projectId: h.projectId,
    resourceId: h.resourceId,
    resourceKind: h.resourceKind,
    planId: h.planId,
    seconds: h.seconds,
    minutes: h.minutes,
    sessions: h.sessions,
    updatedAt: h.updatedAt,
  };
}

/**
 * Hourly aggregates per scope (`resource:<id>` or `project:<id>`, the partition key), id `<dimension>:<hour>`, and the
 * settled-hour markers (partition `settled`, id = the hour).
 */
export class CosmosUsageHourRepository implements UsageHourRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(scope: string, dimension: UsageDimension, hour: string): Promise<UsageHour | undefined> {
    const document = await this.container.read(hourIdOf(dimension, hour), scope);
    return document === undefined ? undefined : toHour(document);
  }

  async create(hour: NewUsageHour): Promise<UsageHour> {
    return toHour(await this.container.create(hourToDocument(hour)));
  }

  async replace(hour: UsageHour): Promise<UsageHour> {
    return toHour(await this.container.replace(hourIdOf(hour.dimension, hour.hour), hour.scope, hourToDocument(hour), hour.etag));
  }

  async listScope(scope: string, from: string, to: string): Promise<UsageHour[]> {
    const documents = await this.container.query(
      {
        query: 'SELECT * FROM c WHERE c.scope = @scope AND c.hour >= @from AND c.hour < @to ORDER BY c.hour',
        parameters: [
          { name: '@scope', value: scope },
          { name: '@from', value: from },
          { name: '@to', value: to },
        ],
      },
      scope,
    );
    return documents.map(toHour);
  }

  async listResourceHours(hour: string): Promise<UsageHour[]> {
    // Deliberately across partitions: once per settled hour, by the submission timer.
    const documents = await this.container.query(
      {
        query: 'SELECT * FROM c WHERE c.hour = @hour AND IS_DEFINED(c.resourceId) AND STARTSWITH(c.scope, "resource:")',
        parameters: [{ name: '@hour', value: hour }],
      },
      undefined,
    );
    return documents.map(toHour);
  }

  async listHour(hour: string): Promise<UsageHour[]> {
    // Deliberately across partitions: once per settled hour, by the submission timer.
    const documents = await this.container.query(
      { query: 'SELECT * FROM c WHERE c.hour = @hour AND IS_DEFINED(c.dimension)', parameters: [{ name: '@hour', value: hour }] },
      undefined,
    );
    return documents.map(toHour);
  }

  async markSettled(hour: string, at: Date): Promise<boolean> {
    try {
      await this.container.create({ id: hour, scope: SETTLED_SCOPE, hour, settledAt: at.toISOString() });
      return true;
    } catch (err) {
      if (err instanceof ConflictError) return false;
      throw err;
    }
  }

  async isSettled(hour: string): Promise<boolean> {
    return (await this.container.read(hour, SETTLED_SCOPE)) !== undefined;
  }
}

const sessionRefDocument = z.object({ id: z.string(), projectId: z.string(), status: z.string() });

/** The sessions the snapshot and the settling look at: reads of the `sessions` container without transcripts. */
export class CosmosUsageSessionSource implements UsageSessionSource {
  constructor(private readonly sessions: CountedContainer) {}

  async listOpenStartedBefore(before: string): Promise<SessionRef[]> {
    const documents = await this.sessions.query(
      {
        query: "SELECT c.id, c.projectId, c.status FROM c WHERE c.status = 'started' AND c.startedAt < @before",
        parameters: [{ name: '@before', value: before }],
      },
      undefined,
    );
    return documents.map((d) => {
      const ref = parseDocument(sessionRefDocument, d, 'sessions');
      return { projectId: ref.projectId, sessionId: ref.id, open: ref.status === 'started' || ref.status === 'pending' };
    });
  }

  async listActiveBetween(from: string, to: string): Promise<SessionRef[]> {
    const documents = await this.sessions.query(
      {
        query:
          "SELECT c.id, c.projectId, c.status FROM c WHERE IS_DEFINED(c.startedAt) AND c.startedAt < @to AND (c.status = 'started' OR ((c.status = 'closed' OR c.status = 'failed') AND c.closedAt > @from))",
        parameters: [
          { name: '@from', value: from },
          { name: '@to', value: to },
        ],
      },
      undefined,
    );
    return documents.map((d) => {
      const ref = parseDocument(sessionRefDocument, d, 'sessions');
      return { projectId: ref.projectId, sessionId: ref.id, open: ref.status === 'started' || ref.status === 'pending' };
    });
  }
}

import { z } from 'zod';
import { noiseReductionSchema, turnDetectionSchema } from '../../domain/agent.js';
import { ConflictError } from '../../domain/errors.js';
import type { SqlParameter } from '@azure/cosmos';
import type { Page, PageRequest } from '../../domain/page.js';
import type { NewSession, Session, SessionListFilter, SessionRepository, SessionSummary } from '../../domain/session.js';
import { listFilteredPageNewestFirst } from './top-n-paging.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';

const CONTAINER = 'sessions';

const toolCallSchema = z.object({
  callId: z.string(),
  name: z.string(),
  arguments: z.string(),
  output: z.string().optional(),
  durationMs: z.number().optional(),
  outcome: z.enum(['ok', 'error', 'timeout', 'refused']).optional(),
});

const streamEventSchema = z.object({
  id: z.number().int(),
  type: z.enum(['message_received', 'function_implicitly_called', 'function_call_timeout', 'content_filtered', 'avatar_connection_warning', 'session_closed']),
  at: z.string(),
  data: z.record(z.string(), z.unknown()),
});

const turnMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: z.string() }),
  z.object({
    role: z.literal('assistant'),
    content: z.string().nullable(),
    toolCalls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() })),
  }),
  z.object({ role: z.literal('tool'), toolCallId: z.string(), content: z.string() }),
]);

const pendingTurnSchema = z.object({
  id: z.string(),
  startedAt: z.string(),
  round: z.number().int(),
  messages: z.array(turnMessageSchema),
  toolCalls: z.array(toolCallSchema),
  calls: z.array(
    z.object({
      callId: z.string(),
      name: z.string(),
      arguments: z.string(),
      deadline: z.string(),
      outcome: z.enum(['ok', 'timeout']).optional(),
      output: z.string().optional(),
      settledAt: z.string().optional(),
    }),
  ),
  durationMs: z.number(),
  modelMs: z.number(),
  toolMs: z.number(),
  faqMatch: z.object({ collectionId: z.string(), itemId: z.string(), score: z.number() }).optional(),
  resumingSince: z.string().optional(),
});

const transcriptEntrySchema = z.object({
  role: z.enum(['user', 'system', 'assistant']),
  text: z.string(),
  at: z.string(),
  toolCalls: z.array(toolCallSchema).optional(),
  durationMs: z.number().optional(),
  source: z.enum(['llm', 'faq', 'knowledge', 'none', 'functionCall']).optional(),
  modelMs: z.number().optional(),
  toolMs: z.number().optional(),
  faqMatch: z.object({ collectionId: z.string(), itemId: z.string(), score: z.number() }).optional(),
});

const assembledSchema = z.object({
  instructions: z.string(),
  tools: z.array(
    z.object({
      type: z.literal('function'),
      function: z.object({ name: z.string(), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()) }),
    }),
  ),
  toolBindings: z.array(
    z.discriminatedUnion('kind', [
      z.object({ name: z.string(), kind: z.literal('function'), functionId: z.string(), flow: z.enum(['implicit', 'explicit']) }),
      z.object({ name: z.string(), kind: z.literal('knowledgeSearch'), knowledgeBaseId: z.string() }),
    ]),
  ),
  // Cosmos does not keep undefined fields: absent here means undefined in the domain.
  voice: z.string().optional(),
  language: z.string().optional(),
  temperature: z.number(),
  turnDetection: turnDetectionSchema.optional(),
  noiseReduction: noiseReductionSchema.optional(),
  idleTimeoutSeconds: z.number().int().nullable(),
  maxSessionSeconds: z.number().int(),
});

const sessionDocument = z.object({
  id: z.string(),
  type: z.literal('session'),
  projectId: z.string(),
  orgId: z.string(),
  agentId: z.string().optional(),
  companionId: z.string(),
  channelType: z.enum(['webrtc', 'websocket', 'text']),
  modality: z.enum(['audio', 'text']),
  externalClientId: z.string().optional(),
  externalClientProfile: z.record(z.string(), z.unknown()).optional(),
  initialSpeech: z.string().optional(),
  tags: z.record(z.string(), z.string()),
  keyId: z.string(),
  hosting: z.enum(['hosted', 'custom']),
  faqCollections: z.array(z.string()),
  knowledgeBaseId: z.string().optional(),
  assembled: assembledSchema,
  status: z.enum(['pending', 'started', 'closed', 'failed']),
  closeReason: z.string().optional(),
  createdAt: z.string(),
  startBy: z.string(),
  startedAt: z.string().optional(),
  lastActivityAt: z.string().optional(),
  idleWarningsSent: z.array(z.number()).optional(),
  nextCheckAt: z.string().optional(),
  closedAt: z.string().optional(),
  activeSeconds: z.number().optional(),
  cost: z.object({ currency: z.literal('USD'), billedMinutes: z.number(), amountMicros: z.number() }).optional(),
  transcript: z.array(transcriptEntrySchema),
  events: z.array(streamEventSchema).optional(),
  lastEventId: z.number().optional(),
  pendingTurn: pendingTurnSchema.optional(),
  searchText: z.string().optional(),
  tagPairs: z.array(z.string()).optional(),
  _etag: z.string(),
});

function toSession(document: unknown): Session {
  const { _etag, type: _type, assembled, searchText: _searchText, tagPairs: _tagPairs, ...d } = parseDocument(sessionDocument, document, CONTAINER);
  return {
    ...d,
    assembled: {
      ...assembled,
      voice: assembled.voice,
      language: assembled.language,
      turnDetection: assembled.turnDetection,
      noiseReduction: assembled.noiseReduction,
    },
    etag: _etag,
  };
}

/** Enough of what was said for `search` to find a session; the transcript itself stays the record. */
const MAX_SEARCH_TEXT = 32 * 1024;

function toDocument(session: NewSession) {
  // A Session given to replace carries its ETag, which Cosmos keeps itself as _etag: it is not stored twice.
  const { etag: _etag, ...fields } = session as NewSession & { etag?: string };
  const searchText = session.transcript
    .map((entry) => entry.text)
    .filter((text) => text !== '')
    .join('\n')
    .toLowerCase()
    .slice(0, MAX_SEARCH_TEXT);
  const tagPairs = Object.entries(session.tags).map(([key, value]) => `${key}:${value}`);
  return { ...fields, type: 'session', searchText, tagPairs };
}

const SUMMARY_FIELDS = [
  'id', 'projectId', 'orgId', 'agentId', 'companionId', 'channelType', 'modality', 'externalClientId', 'initialSpeech', 'tags',
  'keyId', 'hosting', 'faqCollections', 'knowledgeBaseId', 'status', 'closeReason', 'createdAt', 'startBy', 'startedAt',
  'lastActivityAt', 'idleWarningsSent', 'nextCheckAt', 'closedAt', 'activeSeconds', 'cost', 'lastEventId', '_etag',
];

const summaryDocument = sessionDocument.omit({ transcript: true, assembled: true }).extend({ type: z.literal('session').optional() });

function toSummary(document: unknown): SessionSummary {
  const { _etag, type: _type, events: _events, pendingTurn: _pending, externalClientProfile: _profile, searchText: _s, tagPairs: _t, ...d } =
    parseDocument(summaryDocument, document, CONTAINER);
  return { ...d, etag: _etag };
}

function whereOf(projectId: string, filter: SessionListFilter): { where: string; parameters: SqlParameter[] } {
  const clauses = ['c.projectId = @projectId', "c.type = 'session'"];
  const parameters: SqlParameter[] = [{ name: '@projectId', value: projectId }];
  if (filter.keyId !== undefined) {
    clauses.push('c.keyId = @keyId');
    parameters.push({ name: '@keyId', value: filter.keyId });
  }
  if (filter.companionId !== undefined) {
    clauses.push('c.companionId = @companionId');
    parameters.push({ name: '@companionId', value: filter.companionId });
  }
  if (filter.externalClientId !== undefined) {
    clauses.push('c.externalClientId = @externalClientId');
    parameters.push({ name: '@externalClientId', value: filter.externalClientId });
  }
  if (filter.status !== undefined) {
    clauses.push('c.status = @status');
    parameters.push({ name: '@status', value: filter.status });
  }
  if (filter.search !== undefined && filter.search !== '') {
    clauses.push('CONTAINS(c.searchText, @search)');
    parameters.push({ name: '@search', value: filter.search.toLowerCase() });
  }
  Object.entries(filter.tags ?? {}).forEach(([key, value], index) => {
    clauses.push(`ARRAY_CONTAINS(c.tagPairs, @tag${index})`);
    parameters.push({ name: `@tag${index}`, value: `${key}:${value}` });
  });
  return { where: clauses.join(' AND '), parameters };
}

/** Sessions, partitioned by project: a session is only ever read with the project of the key or token that names it. */
export class CosmosSessionRepository implements SessionRepository {
  constructor(private readonly container: CountedContainer) {}

  async get(projectId: string, sessionId: string): Promise<Session | undefined> {
    const document = await this.container.read(sessionId, projectId);
    // A point read names the partition, but the check keeps isolation independent of the server honouring it.
    if (document === undefined || document.projectId !== projectId) return undefined;
    return toSession(document);
  }

  async create(session: NewSession): Promise<Session> {
    try {
      return toSession(await this.container.create(toDocument(session)));
    } catch (err) {
      if (err instanceof ConflictError) throw new ConflictError('The session already exists.');
      throw err;
    }
  }

  async replace(session: Session): Promise<Session> {
    return toSession(await this.container.replace(session.id, session.projectId, toDocument(session), session.etag));
  }

  async list(projectId: string, filter: SessionListFilter, page: PageRequest): Promise<Page<SessionSummary>> {
    return listFilteredPageNewestFirst(
      this.container,
      {
        filtered: whereOf(projectId, filter),
        all: whereOf(projectId, { keyId: filter.keyId }),
        partitionKey: projectId,
        orderBy: 'createdAt',
        select: SUMMARY_FIELDS,
        page,
      },
      toSummary,
    );
  }

  /** The sweeper's one cross-partition query: only open sessions carry nextCheckAt. */
  async listDue(now: Date, limit: number): Promise<Session[]> {
    const rows = await this.container.query(
      {
        query: "SELECT TOP @limit * FROM c WHERE c.type = 'session' AND IS_DEFINED(c.nextCheckAt) AND c.nextCheckAt <= @now ORDER BY c.nextCheckAt",
        parameters: [
          { name: '@limit', value: limit },
          { name: '@now', value: now.toISOString() },
        ],
      },
      undefined,
    );
    return rows.map(toSession);
  }

  /** Cross-partition, and rare: only when a Marketplace subscription is suspended or cancelled. */
  async listOpenOfOrganization(orgId: string): Promise<Session[]> {
    const rows = await this.container.query(
      {
        query: "SELECT * FROM c WHERE c.type = 'session' AND c.orgId = @orgId AND (c.status = 'pending' OR c.status = 'started')",
        parameters: [{ name: '@orgId', value: orgId }],
      },
      undefined,
    );
    return rows.map(toSession);
  }

  async delete(projectId: string, sessionId: string, expectedEtag?: string): Promise<void> {
    await this.container.delete(sessionId, projectId, expectedEtag);
  }
}

import { z } from 'zod';
import { noiseReductionSchema, turnDetectionSchema } from '../../domain/agent.js';
import { ConflictError } from '../../domain/errors.js';
import type { NewSession, Session, SessionRepository } from '../../domain/session.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';

const CONTAINER = 'sessions';

const toolCallSchema = z.object({
  callId: z.string(),
  name: z.string(),
  arguments: z.string(),
  output: z.string().optional(),
  durationMs: z.number().optional(),
});

const transcriptEntrySchema = z.object({
  role: z.enum(['user', 'system', 'assistant']),
  text: z.string(),
  at: z.string(),
  toolCalls: z.array(toolCallSchema).optional(),
  durationMs: z.number().optional(),
  source: z.enum(['llm', 'faq', 'knowledge', 'none']).optional(),
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
  agentId: z.string(),
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
  startedAt: z.string().optional(),
  closedAt: z.string().optional(),
  transcript: z.array(transcriptEntrySchema),
  _etag: z.string(),
});

function toSession(document: unknown): Session {
  const { _etag, type: _type, assembled, ...d } = parseDocument(sessionDocument, document, CONTAINER);
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

function toDocument(session: NewSession) {
  // A Session given to replace carries its ETag, which Cosmos keeps itself as _etag: it is not stored twice.
  const { etag: _etag, ...fields } = session as NewSession & { etag?: string };
  return { ...fields, type: 'session' };
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
}

import { z } from 'zod';
import { tagsSchema } from '../../domain/companion.js';
import { EXTERNAL_CLIENT_ID_PATTERN } from '../../domain/session.js';
import { createAgentBody } from './agent.js';
import { idParam, listQueryParam, timestamp } from './common.js';
import { pageQueryShape } from '../pagination.js';

export const agentConnectionPathParams = z.strictObject({ agentId: idParam('agent id') });
export const sessionPathParams = z.strictObject({ id: idParam('session id') });
export const connectionPathParams = z.strictObject({ id: idParam('connection (session) id') });

export const createConnectionBody = z.strictObject({
  channelType: z
    .enum(['webrtc', 'websocket', 'text'])
    .describe('text sessions run their turns here; webrtc and websocket sessions are audio, served by the realtime model or a media tier'),
  modality: z.enum(['audio', 'text']).optional().describe('defaults to text for the text channel, audio for the others'),
  externalClientId: z
    .string()
    .regex(EXTERNAL_CLIENT_ID_PATTERN, 'must be 1-32 characters of A-Z a-z 0-9 _ -')
    .optional()
    .describe("the calling application's id of the person"),
  externalClientProfile: z
    .record(z.string().max(100), z.unknown())
    .refine((profile) => JSON.stringify(profile).length <= 8192, { message: 'must be at most 8 KiB as JSON' })
    .optional()
    .describe('what the application knows of the person; given to the model as information'),
  initialSpeech: z.string().trim().min(1).max(2000).optional(),
  tags: tagsSchema.optional(),
});

const agentFields = createAgentBody.shape;

/** API.md: the same as an agent's connection, with the agent's configuration given inline. */
export const createInlineConnectionBody = createConnectionBody.extend({
  companionId: agentFields.companionId,
  providerConfig: z
    .strictObject({
      voiceId: agentFields.voiceId,
      settings: agentFields.providerSettings,
    })
    .optional()
    .describe('the voice and the model settings (instructions, temperature, turnDetection, noiseReduction)'),
  language: agentFields.language,
  functions: agentFields.functions,
  faqCollections: agentFields.faqCollections,
  knowledgeBaseId: agentFields.knowledgeBaseId,
  disableIdleTimeout: agentFields.disableIdleTimeout,
  idleTimeoutSeconds: agentFields.idleTimeoutSeconds,
  maxSessionSeconds: agentFields.maxSessionSeconds,
});

export const connectionResponse = z.object({
  token: z.string().describe('the session token: send it as "Authorization: Bearer <token>" to the session runtime calls'),
  connection: z.object({ id: z.string(), expiresAt: timestamp.describe('when the token stops working') }),
  realtime: z
    .object({
      deployment: z.string(),
      clientSecret: z.string().describe('the ephemeral key: "Authorization: Bearer <clientSecret>" towards the realtime model'),
      expiresAt: timestamp.describe('start the realtime session before this'),
      webrtcUrl: z.string().describe('POST the SDP offer here (Content-Type: application/sdp)'),
      websocketUrl: z.string(),
    })
    .optional()
    .describe(
      "audio sessions whose key has a realtime deployment: the model is already configured with the session's instructions, " +
        'tools and voice; run tool calls through function-calls and report activity',
    ),
});

const toolCallView = z.object({
  callId: z.string(),
  name: z.string(),
  arguments: z.string(),
  output: z.string().optional().describe('what went back to the model'),
  durationMs: z.number().optional(),
  outcome: z
    .enum(['ok', 'error', 'timeout', 'refused'])
    .optional()
    .describe('error: the endpoint failed; timeout: no answer within the timeout; refused: the endpoint address is not allowed'),
});

const transcriptEntryView = z.object({
  role: z.enum(['user', 'system', 'assistant']),
  text: z.string(),
  at: timestamp,
  toolCalls: z.array(toolCallView).optional(),
  durationMs: z.number().optional().describe('assistant entries: time to produce it (model and tools)'),
  source: z
    .enum(['llm', 'faq', 'knowledge', 'none', 'functionCall'])
    .optional()
    .describe('assistant entries: where the reply came from (functionCall: a tool run through function-calls)'),
  faqMatch: z
    .object({ collectionId: z.string(), itemId: z.string(), score: z.number() })
    .optional()
    .describe("assistant entries: the FAQ pair that matched the user's message and was given to the model"),
  modelMs: z.number().optional().describe('assistant entries: of durationMs, the time spent waiting on the language model'),
  toolMs: z.number().optional().describe('assistant entries: of durationMs, the time spent waiting on explicit functions'),
});

const pendingCallView = z.object({
  callId: z.string(),
  name: z.string(),
  arguments: z.string(),
  deadline: timestamp.describe('answer with function-outputs before this, else the model is told the call timed out'),
});

const costView = z
  .object({
    currency: z.literal('USD'),
    amount: z.number().describe('in dollars'),
    amountMicros: z.number().int().describe('in millionths of a dollar, exact'),
    billedMinutes: z.number().int().describe('active seconds rounded up to whole minutes'),
  })
  .describe('set at the close: billed minutes × the price of the key\'s hosting ($0.01 custom, $0.058 hosted)');

const sessionFields = {
  id: z.string(),
  agentId: z.string().optional().describe('absent for a session opened with an inline configuration'),
  companionId: z.string(),
  channelType: z.enum(['webrtc', 'websocket', 'text']),
  modality: z.enum(['audio', 'text']),
  externalClientId: z.string().optional(),
  tags: z.record(z.string(), z.string()),
  status: z.enum(['pending', 'started', 'closed', 'failed']),
  closeReason: z.string().optional().describe('connection_closed, idle_timeout, session_expired, not_started, connection_timeout, ...'),
  createdAt: timestamp,
  startBy: timestamp.describe('a session not started by then closes with connection_timeout'),
  startedAt: timestamp.optional(),
  lastActivityAt: timestamp.optional(),
  closedAt: timestamp.optional(),
  activeSeconds: z.number().int().describe('from the start to the close (or now)'),
  cost: costView.optional(),
};

export const sessionSummaryResponse = z.object(sessionFields);

export const sessionResponse = z.object({
  ...sessionFields,
  transcript: z.array(transcriptEntryView),
  pendingFunctionCalls: z
    .array(pendingCallView)
    .describe('implicit calls of the current turn still awaiting their output (function-outputs)'),
});

export const listSessionsQuery = z.strictObject({
  ...pageQueryShape,
  companionId: idParam('companion id').optional(),
  externalClientId: z.string().regex(EXTERNAL_CLIENT_ID_PATTERN).optional(),
  status: z.enum(['pending', 'started', 'closed', 'failed']).optional(),
  search: z.string().trim().min(1).max(200).optional().describe('case-insensitive text in the transcript'),
  tags: listQueryParam(
    z
      .string()
      .max(330)
      .regex(/^[^:]{1,64}:.*$/, 'must be key:value')
      .transform((v) => [v.slice(0, v.indexOf(':')), v.slice(v.indexOf(':') + 1)] as const),
    10,
    false,
  )
    .optional()
    .describe('tags=key:value, repeated for several; a session must carry every one'),
});

export const renewedTokenResponse = z.object({
  token: z.string(),
  expiresAt: timestamp,
});

export const sessionMessageBody = z.strictObject({
  text: z.string().trim().min(1).max(8000),
  role: z.enum(['user', 'system']).optional().describe('defaults to user'),
  triggerResponse: z.boolean().optional().describe('defaults to true; false only records the message'),
});

const turnEventView = z.discriminatedUnion('type', [
  z.object({ type: z.literal('no_language_model'), detail: z.string() }),
  z.object({
    type: z.literal('function_implicitly_called'),
    callId: z.string(),
    name: z.string(),
    arguments: z.string().describe('the JSON text of the arguments, as the model wrote it'),
    deadline: timestamp,
  }),
  z.object({ type: z.literal('function_call_timeout'), callId: z.string(), name: z.string() }),
  z.object({
    type: z.literal('content_filtered'),
    categories: z.array(z.string()).describe("the content filter's categories that withheld the reply (hate, sexual, violence, self_harm)"),
  }),
]);

export const sessionMessageResponse = z.object({
  reply: z
    .object({ role: z.literal('assistant'), text: z.string() })
    .nullable()
    .describe('null when the turn waits for implicit function outputs or no reply was asked for'),
  events: z.array(turnEventView),
  toolCalls: z.array(toolCallView),
  pendingCallIds: z.array(z.string()).describe('implicit calls awaiting function-outputs before the turn can go on'),
  timings: z
    .object({ durationMs: z.number(), modelMs: z.number(), toolMs: z.number() })
    .optional()
    .describe("with a reply: the turn's server time, and of it the time waiting on the model and on explicit functions"),
});

export const functionOutputBody = z.strictObject({
  callId: z.string().min(1).max(200),
  output: z.string().max(64 * 1024).describe('what the function returned, as text (JSON is usual); the model reads it'),
});

export const functionCallBody = z.strictObject({
  callId: z.string().min(1).max(200).describe('your id of the call; repeating it returns the recorded result'),
  name: z.string().min(1).max(64),
  arguments: z.string().max(64 * 1024).optional().describe('the JSON text of the arguments; defaults to {}'),
});

export const functionCallResponse = z.object({
  callId: z.string(),
  name: z.string(),
  output: z.string(),
  outcome: z.enum(['ok', 'error', 'timeout', 'refused']),
  durationMs: z.number(),
});

import { z } from 'zod';
import { tagsSchema } from '../../domain/companion.js';
import { EXTERNAL_CLIENT_ID_PATTERN } from '../../domain/session.js';
import { idParam, timestamp } from './common.js';

export const agentConnectionPathParams = z.strictObject({ agentId: idParam('agent id') });
export const sessionPathParams = z.strictObject({ id: idParam('session id') });

export const createConnectionBody = z.strictObject({
  channelType: z
    .enum(['webrtc', 'websocket', 'text'])
    .describe('only "text" is supported for now; the others answer 400 ChannelNotSupportedYet'),
  modality: z.enum(['audio', 'text']).optional().describe('defaults to text'),
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

export const connectionResponse = z.object({
  token: z.string().describe('the session token: send it as "Authorization: Bearer <token>" to the session runtime calls'),
  connection: z.object({ id: z.string(), expiresAt: timestamp.describe('when the token stops working') }),
});

const toolCallView = z.object({
  callId: z.string(),
  name: z.string(),
  arguments: z.string(),
  output: z.string().optional(),
  durationMs: z.number().optional(),
});

const transcriptEntryView = z.object({
  role: z.enum(['user', 'system', 'assistant']),
  text: z.string(),
  at: timestamp,
  toolCalls: z.array(toolCallView).optional(),
  durationMs: z.number().optional().describe('assistant entries: time to produce it (model and tools)'),
  source: z.enum(['llm', 'faq', 'knowledge', 'none']).optional().describe('assistant entries: where the reply came from'),
});

export const sessionResponse = z.object({
  id: z.string(),
  agentId: z.string(),
  companionId: z.string(),
  channelType: z.enum(['webrtc', 'websocket', 'text']),
  modality: z.enum(['audio', 'text']),
  externalClientId: z.string().optional(),
  tags: z.record(z.string(), z.string()),
  status: z.enum(['pending', 'started', 'closed', 'failed']),
  closeReason: z.string().optional(),
  createdAt: timestamp,
  startedAt: timestamp.optional(),
  closedAt: timestamp.optional(),
  activeSeconds: z.number().int().describe('from the first message to the close (or now)'),
  transcript: z.array(transcriptEntryView),
});

export const sessionMessageBody = z.strictObject({
  text: z.string().trim().min(1).max(8000),
  role: z.enum(['user', 'system']).optional().describe('defaults to user'),
  triggerResponse: z.boolean().optional().describe('defaults to true; false only records the message'),
});

export const sessionMessageResponse = z.object({
  reply: z.object({ role: z.literal('assistant'), text: z.string() }).nullable(),
  events: z.array(z.object({ type: z.enum(['no_language_model']), detail: z.string() })),
  toolCalls: z.array(toolCallView),
});

import { z } from 'zod';
import {
  DEFAULT_IDLE_TIMEOUT_SECONDS,
  DEFAULT_MAX_SESSION_SECONDS,
  MAX_AGENT_FAQ_COLLECTIONS,
  MAX_AGENT_FUNCTIONS,
  MAX_IDLE_TIMEOUT_SECONDS,
  MAX_MAX_SESSION_SECONDS,
  MIN_IDLE_TIMEOUT_SECONDS,
  MIN_MAX_SESSION_SECONDS,
  agentInstructionsSchema,
  agentNameSchema,
  idleTimeoutSecondsSchema,
  maxSessionSecondsSchema,
  noiseReductionSchema,
  temperatureSchema,
  turnDetectionSchema,
} from '../../domain/agent.js';
import { TWIN_VOICE_PREFIX } from '../../domain/agent-voice.js';
import { tagsSchema } from '../../domain/companion.js';
import { languageCodeSchema } from '../../domain/languages.js';
import { etagField, idParam, timestamp } from './common.js';

export const agentPathParams = z.strictObject({ id: idParam('agent id') });

const voiceIdSchema = z
  .string()
  .min(1)
  .max(200)
  .describe(
    `one of GET /public/voices, or a twin's own voice (${TWIN_VOICE_PREFIX}<companionId>); required unless the companion is a digital twin whose voice is ready`,
  );

const functionIds = z.array(idParam('function id')).max(MAX_AGENT_FUNCTIONS).describe(`functions of the project, at most ${MAX_AGENT_FUNCTIONS}`);
const faqCollectionIds = z
  .array(idParam('FAQ collection id'))
  .max(MAX_AGENT_FAQ_COLLECTIONS)
  .describe(`FAQ collections of the project, at most ${MAX_AGENT_FAQ_COLLECTIONS}`);
const idleTimeoutSeconds = idleTimeoutSecondsSchema.describe(
  `seconds of user inactivity before the session closes, ${MIN_IDLE_TIMEOUT_SECONDS}-${MAX_IDLE_TIMEOUT_SECONDS} (default ${DEFAULT_IDLE_TIMEOUT_SECONDS})`,
);
const maxSessionSeconds = maxSessionSecondsSchema.describe(
  `the longest a session may last, ${MIN_MAX_SESSION_SECONDS}-${MAX_MAX_SESSION_SECONDS} seconds (default ${DEFAULT_MAX_SESSION_SECONDS})`,
);

export const createAgentBody = z.strictObject({
  companionId: idParam('a companion of the project, or of the stock catalog; it must be readyToUse or completed'),
  name: agentNameSchema,
  language: languageCodeSchema.optional(),
  voiceId: voiceIdSchema.optional(),
  functions: functionIds.optional(),
  faqCollections: faqCollectionIds.optional(),
  knowledgeBaseId: idParam('a knowledge base of the project').optional(),
  providerSettings: z
    .strictObject({
      instructions: agentInstructionsSchema.optional().describe('system instructions added to the persona'),
      temperature: temperatureSchema.optional().describe('0-2'),
      turnDetection: turnDetectionSchema.optional(),
      noiseReduction: noiseReductionSchema.nullable().optional().describe('near_field, far_field, or null for none'),
    })
    .optional(),
  disableIdleTimeout: z.boolean().optional(),
  idleTimeoutSeconds: idleTimeoutSeconds.optional(),
  maxSessionSeconds: maxSessionSeconds.optional(),
  tags: tagsSchema.optional(),
});

/** Fields given replace the agent's (arrays and tags as a whole); null removes an optional one. */
export const updateAgentBody = z
  .strictObject({
    companionId: idParam('a companion of the project, or of the stock catalog').optional(),
    name: agentNameSchema.optional(),
    language: languageCodeSchema.nullable().optional(),
    voiceId: voiceIdSchema.nullable().optional(),
    functions: functionIds.optional().describe('replaces the list'),
    faqCollections: faqCollectionIds.optional().describe('replaces the list'),
    knowledgeBaseId: idParam('a knowledge base of the project').nullable().optional(),
    providerSettings: z
      .strictObject({
        instructions: agentInstructionsSchema.nullable().optional(),
        temperature: temperatureSchema.nullable().optional(),
        turnDetection: turnDetectionSchema.nullable().optional(),
        noiseReduction: noiseReductionSchema.nullable().optional(),
      })
      .optional()
      .describe('each setting given replaces that setting; null removes it'),
    disableIdleTimeout: z.boolean().optional(),
    idleTimeoutSeconds: idleTimeoutSeconds.optional(),
    maxSessionSeconds: maxSessionSeconds.optional(),
    tags: tagsSchema.optional().describe('replaces all tags'),
  })
  .refine((b) => Object.values(b).some((value) => value !== undefined), { message: 'give at least one field to change' });

/** The agent of API.md; the project and organization stay internal. */
export const agentResponse = z.object({
  id: z.string(),
  companionId: z.string(),
  name: z.string(),
  language: z.string().optional(),
  voiceId: z.string().optional(),
  functions: z.array(z.string()),
  faqCollections: z.array(z.string()),
  knowledgeBaseId: z.string().optional(),
  providerSettings: z.object({
    instructions: z.string().optional(),
    temperature: z.number().optional(),
    turnDetection: turnDetectionSchema.optional(),
    noiseReduction: noiseReductionSchema.optional(),
  }),
  disableIdleTimeout: z.boolean(),
  idleTimeoutSeconds: z.number().int(),
  maxSessionSeconds: z.number().int(),
  tags: z.record(z.string(), z.string()),
  created: timestamp,
  updated: timestamp,
  etag: etagField,
});

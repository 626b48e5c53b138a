import { z } from 'zod';
import type { CompanionStatus, Tags } from './companion.js';
import { ConflictError } from './errors.js';

/**
 * An agent (seed `faq.txt`, "What's the difference between a Companion and an agent?"): a companion assembled with
 * instructions, knowledge, functions, FAQs and memory. It belongs to one project and refers to that project's
 * companion (or a stock one), functions, FAQ collections and knowledge base by id.
 */

export const agentNameSchema = z.string().trim().min(1).max(200);
export const agentInstructionsSchema = z.string().trim().max(20_000);
export const temperatureSchema = z.number().min(0).max(2);

/** The Azure OpenAI realtime turn detection: voice activity by loudness, or by what was said. */
export const turnDetectionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('server_vad'),
    threshold: z.number().min(0).max(1).optional().describe('how loud speech must be, 0-1'),
    prefixPaddingMs: z.number().int().min(0).max(5000).optional().describe('audio kept from before speech starts'),
    silenceDurationMs: z.number().int().min(0).max(10_000).optional().describe('silence that ends a turn'),
    createResponse: z.boolean().optional(),
    interruptResponse: z.boolean().optional(),
  }),
  z.strictObject({
    type: z.literal('semantic_vad'),
    eagerness: z.enum(['low', 'medium', 'high', 'auto']).optional().describe('how soon the model answers'),
    createResponse: z.boolean().optional(),
    interruptResponse: z.boolean().optional(),
  }),
]);
export type TurnDetection = z.infer<typeof turnDetectionSchema>;

export const noiseReductionSchema = z.enum(['near_field', 'far_field']);
export type NoiseReduction = z.infer<typeof noiseReductionSchema>;

export const DEFAULT_IDLE_TIMEOUT_SECONDS = 180;
export const MIN_IDLE_TIMEOUT_SECONDS = 30;
export const MAX_IDLE_TIMEOUT_SECONDS = 3600;
export const idleTimeoutSecondsSchema = z.number().int().min(MIN_IDLE_TIMEOUT_SECONDS).max(MAX_IDLE_TIMEOUT_SECONDS);

export const DEFAULT_MAX_SESSION_SECONDS = 3600;
export const MIN_MAX_SESSION_SECONDS = 60;
export const MAX_MAX_SESSION_SECONDS = 14_400;
export const maxSessionSecondsSchema = z.number().int().min(MIN_MAX_SESSION_SECONDS).max(MAX_MAX_SESSION_SECONDS);

/** Within the 128 tools a model request takes, with room for the built-in ones. */
export const MAX_AGENT_FUNCTIONS = 50;
export const MAX_AGENT_FAQ_COLLECTIONS = 20;

/** API.md: 100 agents per organization, then 409 AgentLimitExceeded. */
export const MAX_AGENTS_PER_ORGANIZATION = 100;

/** How the model behaves in a session; each setting left out takes the provider's default. */
export interface ProviderSettings {
  readonly instructions?: string | undefined;
  readonly temperature?: number | undefined;
  readonly turnDetection?: TurnDetection | undefined;
  readonly noiseReduction?: NoiseReduction | undefined;
}

export interface Agent {
  readonly id: string;
  readonly projectId: string;
  readonly orgId: string;
  readonly companionId: string;
  readonly name: string;
  /** ISO 639-1, lower case. */
  readonly language?: string | undefined;
  /** A standard voice, or a twin's own (`twin:<companionId>`); absent when the companion is a twin with a ready voice. */
  readonly voiceId?: string | undefined;
  /** Function ids, in the order the client gave them. */
  readonly functions: string[];
  readonly faqCollections: string[];
  readonly knowledgeBaseId?: string | undefined;
  readonly providerSettings: ProviderSettings;
  readonly disableIdleTimeout: boolean;
  readonly idleTimeoutSeconds: number;
  readonly maxSessionSeconds: number;
  readonly tags: Tags;
  readonly created: string;
  readonly updated: string;
  readonly etag: string;
}

export type NewAgent = Omit<Agent, 'etag'>;

/** What an agent is made of: everything a client sets, before the references are checked. */
export type AgentDefinition = Omit<Agent, 'id' | 'projectId' | 'orgId' | 'created' | 'updated' | 'etag'>;

/** Generation must be over: the avatar can be shown (readyToUse), and for a twin also its voice used (completed). */
const USABLE_COMPANION_STATUSES: ReadonlySet<CompanionStatus> = new Set(['readyToUse', 'completed']);

export function isUsableCompanionStatus(status: CompanionStatus): boolean {
  return USABLE_COMPANION_STATUSES.has(status);
}

export function companionNotReady(status: CompanionStatus): ConflictError {
  return new ConflictError(
    `The companion cannot be used by an agent yet (status ${status}); it must be readyToUse or completed.`,
    'CompanionNotReady',
  );
}

export function agentLimitExceeded(limit: number): ConflictError {
  return new ConflictError(
    `An organization has at most ${limit} agents; delete one before creating another.`,
    'AgentLimitExceeded',
  );
}

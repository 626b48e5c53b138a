import { companionNotReady, isUsableCompanionStatus, type AgentDefinition } from '../domain/agent.js';
import type { AgentFunctionRepository } from '../domain/agent-function-repository.js';
import { voiceIdProblem } from '../domain/agent-voice.js';
import type { Companion, StockCompanion } from '../domain/companion.js';
import type { CompanionRepository } from '../domain/companion-repository.js';
import { ValidationError, type FieldProblem } from '../domain/errors.js';
import type { FaqRepository } from '../domain/faq-repository.js';
import type { KnowledgeBaseRepository } from '../domain/knowledge/knowledge-base-repository.js';
import { findStockCompanion } from '../domain/stock-companions.js';

export interface AgentReferenceDeps {
  readonly companions: CompanionRepository;
  readonly agentFunctions: AgentFunctionRepository;
  readonly faqs: FaqRepository;
  readonly knowledgeBases: KnowledgeBaseRepository;
}

/** Which parts of a definition to check: all of them at creation, those a PATCH changes afterwards. */
export interface ReferenceScope {
  readonly companionAndVoice: boolean;
  readonly functions: boolean;
  readonly faqCollections: boolean;
  readonly knowledgeBase: boolean;
}

export const ALL_REFERENCES: ReferenceScope = { companionAndVoice: true, functions: true, faqCollections: true, knowledgeBase: true };

function duplicates(ids: readonly string[], field: string): FieldProblem[] {
  const seen = new Set<string>();
  return ids.flatMap((id, index) => {
    const repeated = seen.has(id);
    seen.add(id);
    return repeated ? [{ path: `${field}.${index}`, message: `${id} is listed twice` }] : [];
  });
}

/** One point read per id, in parallel; every id not found in the project is one problem naming it. */
async function unknownIds(
  ids: readonly string[],
  field: string,
  what: string,
  exists: (id: string) => Promise<boolean>,
): Promise<FieldProblem[]> {
  const found = await Promise.all(ids.map(exists));
  return ids.flatMap((id, index) => (found[index] ? [] : [{ path: `${field}.${index}`, message: `${id} is not ${what} of this project` }]));
}

/**
 * Checks that everything an agent refers to exists in its project (another project's ids are unknown here, since
 * every read names the project), that its voice suits its companion, and that the companion is ready to be used.
 * Unknown ids and voice problems are reported together as ValidationFailed; an existing companion that is not ready
 * yet is 409 CompanionNotReady.
 */
export async function checkAgentReferences(
  deps: AgentReferenceDeps,
  projectId: string,
  definition: AgentDefinition,
  scope: ReferenceScope,
): Promise<void> {
  const problems: FieldProblem[] = [];
  const checks: Promise<FieldProblem[]>[] = [];
  const companionRead: Promise<Companion | StockCompanion | undefined> = scope.companionAndVoice
    ? (async () => findStockCompanion(definition.companionId) ?? (await deps.companions.get(projectId, definition.companionId)))()
    : Promise.resolve(undefined);
  if (scope.functions) {
    problems.push(...duplicates(definition.functions, 'functions'));
    checks.push(
      unknownIds(definition.functions, 'functions', 'a function', async (id) => (await deps.agentFunctions.get(projectId, id)) !== undefined),
    );
  }
  if (scope.faqCollections) {
    problems.push(...duplicates(definition.faqCollections, 'faqCollections'));
    checks.push(
      unknownIds(definition.faqCollections, 'faqCollections', 'an FAQ collection', async (id) => (await deps.faqs.get(projectId, id)) !== undefined),
    );
  }
  if (scope.knowledgeBase && definition.knowledgeBaseId !== undefined) {
    checks.push(
      unknownIds([definition.knowledgeBaseId], 'knowledgeBaseId', 'a knowledge base', async (id) => {
        const base = await deps.knowledgeBases.get(projectId, id);
        return base !== undefined && base.deletingSince === undefined;
      }).then((found) => found.map((p) => ({ ...p, path: 'knowledgeBaseId' }))),
    );
  }
  const [companion, found] = await Promise.all([companionRead, Promise.all(checks)]);
  if (scope.companionAndVoice && companion === undefined) {
    problems.unshift({ path: 'companionId', message: `${definition.companionId} is not a companion of this project` });
  }
  for (const more of found) problems.push(...more);

  // The voice rules depend on the companion, and a companion still being generated has no say yet: its readiness
  // comes first.
  const usable = companion !== undefined && isUsableCompanionStatus(companion.status);
  if (companion !== undefined && usable) {
    const voiceProblem = voiceIdProblem(definition.voiceId, companion);
    if (voiceProblem !== undefined) problems.push({ path: 'voiceId', message: voiceProblem });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  if (companion !== undefined && !usable) throw companionNotReady(companion.status);
}

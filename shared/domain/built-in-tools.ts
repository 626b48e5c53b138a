import type { JsonObject } from './json-object.js';

/**
 * The tools the platform itself provides to an agent, beside the project's functions. Their names are reserved, so a
 * project's function can never shadow one in an agent's tool list.
 */
export const KNOWLEDGE_SEARCH_TOOL_NAME = 'search_knowledge';

export const KNOWLEDGE_SEARCH_TOOL_DESCRIPTION =
  "Search the agent's knowledge base for passages that answer a question. Use it before answering questions about " +
  'the topics the knowledge base covers, and answer from the passages it returns.';

export const KNOWLEDGE_SEARCH_TOOL_PARAMETERS: JsonObject = {
  type: 'object',
  properties: {
    query: {
      type: 'string',
      description: "What to look for, as a short, self-contained question or phrase in the user's words.",
    },
  },
  required: ['query'],
  additionalProperties: false,
};

const RESERVED_TOOL_NAMES: ReadonlySet<string> = new Set([KNOWLEDGE_SEARCH_TOOL_NAME]);

export function isReservedToolName(name: string): boolean {
  return RESERVED_TOOL_NAMES.has(name);
}

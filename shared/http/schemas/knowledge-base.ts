import { z } from 'zod';
import { MAX_FILES_PER_KNOWLEDGE_BASE, knowledgeBaseNameSchema, knowledgeProviderSchema } from '../../domain/knowledge/knowledge-base.js';
import { etagField, idParam, timestamp } from './common.js';

export const knowledgeBasePathParams = z.strictObject({ id: idParam('knowledge base id') });

export const createKnowledgeBaseBody = z.strictObject({
  name: knowledgeBaseNameSchema.describe('a name for people, e.g. "Product manuals"'),
  provider: knowledgeProviderSchema.default('azureOpenAI').describe('where embeddings come from (azureOpenAI)'),
});

export const knowledgeBaseResponse = z.object({
  id: z.string(),
  name: z.string(),
  provider: knowledgeProviderSchema,
  fileCount: z.number().int().describe(`files in the base, at most ${MAX_FILES_PER_KNOWLEDGE_BASE}`),
  created: timestamp,
  updated: timestamp,
  etag: etagField,
});

import { z } from 'zod';

/**
 * A knowledge base (seed `faq.txt`, "How do I give my agent knowledge?"): up to MAX_FILES_PER_KNOWLEDGE_BASE documents
 * of one project, checked, extracted, chunked and indexed so that an agent's answers are grounded in them.
 */

export const knowledgeBaseNameSchema = z.string().trim().min(1).max(200);

/** Where embeddings come from. Only Azure OpenAI exists; the field keeps clients of the Companion API working. */
export const knowledgeProviderSchema = z.enum(['azureOpenAI']);
export type KnowledgeProvider = z.infer<typeof knowledgeProviderSchema>;

export const MAX_FILES_PER_KNOWLEDGE_BASE = 30;

/**
 * A place taken by one file of the base. Slots live on the base document, so the limit holds under concurrent
 * requests: a slot is taken by an ETag-conditional write of the base before the file is created.
 */
export interface KnowledgeFileSlot {
  readonly fileId: string;
  readonly reservedAt: string;
}

export interface KnowledgeBase {
  readonly id: string;
  readonly projectId: string;
  readonly orgId: string;
  readonly name: string;
  readonly provider: KnowledgeProvider;
  readonly fileSlots: readonly KnowledgeFileSlot[];
  /**
   * Set when a DELETE started (internal): the base is then gone for clients, takes no files, and a retried DELETE
   * finishes the cascade.
   */
  readonly deletingSince?: string | undefined;
  readonly created: string;
  readonly updated: string;
  readonly etag: string;
}

export type NewKnowledgeBase = Omit<KnowledgeBase, 'etag'>;

/** How many files the base holds, the slots of files still being created included. */
export function fileCountOf(base: KnowledgeBase): number {
  return base.fileSlots.length;
}

import { z } from 'zod';
import { ID_PATTERN } from '../ids.js';

/** The blob container of knowledge files: `<projectId>/<baseId>/<fileId>/source` is where each file lands. */
export const KNOWLEDGE_CONTAINER = 'knowledge';

/** The folder of everything a base keeps in the container (a folder prefix, so `kb_1` never matches `kb_12`). */
export function knowledgeBasePrefix(projectId: string, baseId: string): string {
  return `${projectId}/${baseId}/`;
}

export function knowledgeFilePrefix(projectId: string, baseId: string, fileId: string): string {
  return `${knowledgeBasePrefix(projectId, baseId)}${fileId}/`;
}

/** The landed file, as fetched, sent or uploaded: the blob-triggered ingest reads it from here. */
export function knowledgeSourcePath(projectId: string, baseId: string, fileId: string): string {
  return `${knowledgeFilePrefix(projectId, baseId, fileId)}source`;
}

export const knowledgeFileRefSchema = z.object({
  projectId: z.string().regex(ID_PATTERN),
  baseId: z.string().regex(ID_PATTERN),
  fileId: z.string().regex(ID_PATTERN),
});
export type KnowledgeFileRef = z.infer<typeof knowledgeFileRefSchema>;

/** Splits a blob name of the knowledge container into a landed file's names, or undefined for any other blob. */
export function knowledgeFileRefOf(blobName: string): KnowledgeFileRef | undefined {
  const parts = blobName.split('/');
  if (parts.length !== 4 || parts[3] !== 'source') return undefined;
  const parsed = knowledgeFileRefSchema.safeParse({ projectId: parts[0], baseId: parts[1], fileId: parts[2] });
  return parsed.success ? parsed.data : undefined;
}

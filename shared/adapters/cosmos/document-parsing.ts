import type { z } from 'zod';

/**
 * Parses a document read back from Cosmos DB. A document that does not match its schema is a bug or corruption, not
 * a client error, so it fails loudly with the container and id (never the content, which may hold secrets).
 */
export function parseDocument<S extends z.ZodType>(schema: S, document: unknown, container: string): z.output<S> {
  const parsed = schema.safeParse(document);
  if (parsed.success) return parsed.data;
  const id = typeof document === 'object' && document !== null && 'id' in document ? String(document.id) : '?';
  const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
  throw new Error(`Cosmos document ${container}/${id} does not match its schema (fields: ${fields})`);
}

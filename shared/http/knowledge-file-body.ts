import type { HttpRequest } from '@azure/functions';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../domain/errors.js';
import { MAX_KNOWLEDGE_FILE_BYTES } from '../domain/knowledge/file-types.js';
import { isJsonContentType, readAtMost, readJsonBody } from './json-body.js';
import { addKnowledgeFileByUrlBody } from './schemas/knowledge-file.js';
import { parseInput } from './zod-problems.js';

/** What `POST /public/knowledge-bases/{id}/files` carries: a URL for the backend to fetch, or the file itself. */
export type KnowledgeFileBody =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'file'; readonly fileName: string; readonly contentType: string; readonly bytes: Uint8Array };

/** Room for the multipart framing around the file: boundaries and part headers, never more than a few hundred bytes. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
/** `{url}` needs a couple of kilobytes at most. */
const MAX_URL_BODY_BYTES = 16 * 1024;

const MULTIPART = /^multipart\/form-data\s*;/i;

/**
 * Reads the body of an add-file request: JSON `{url}`, or `multipart/form-data` with exactly one file part. The
 * multipart body is counted while it streams and refused (413) past the largest knowledge file plus framing, then
 * parsed by the platform's own `FormData` parser.
 */
export async function readKnowledgeFileBody(request: HttpRequest): Promise<KnowledgeFileBody> {
  const contentType = request.headers.get('content-type');
  if (contentType !== null && MULTIPART.test(contentType)) return readMultipartFile(request, contentType);
  if (contentType === null || isJsonContentType(contentType)) {
    const { url } = parseInput(addKnowledgeFileByUrlBody, await readJsonBody(request, MAX_URL_BODY_BYTES));
    return { kind: 'url', url };
  }
  throw new UnsupportedMediaTypeError('application/json ({"url": ...}) or multipart/form-data with one file');
}

async function readMultipartFile(request: HttpRequest, contentType: string): Promise<KnowledgeFileBody> {
  const limit = MAX_KNOWLEDGE_FILE_BYTES + MULTIPART_OVERHEAD_BYTES;
  const declaredLength = request.headers.get('content-length');
  if (declaredLength !== null && Number(declaredLength) > limit) throw new PayloadTooLargeError(MAX_KNOWLEDGE_FILE_BYTES);
  let raw: Uint8Array;
  try {
    raw = await readAtMost(request, limit);
  } catch (err) {
    if (err instanceof PayloadTooLargeError) throw new PayloadTooLargeError(MAX_KNOWLEDGE_FILE_BYTES);
    throw err;
  }
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new ValidationError([{ path: '', message: 'is not a valid multipart/form-data body' }]);
  }
  const files: File[] = [];
  const problems: { path: string; message: string }[] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') problems.push({ path: name, message: 'is not a known field; send only the file' });
    else files.push(value);
  }
  if (files.length !== 1) problems.push({ path: 'file', message: `send exactly one file part (got ${files.length})` });
  if (problems.length > 0) throw new ValidationError(problems);
  const [file] = files as [File];
  if (file.size > MAX_KNOWLEDGE_FILE_BYTES) throw new PayloadTooLargeError(MAX_KNOWLEDGE_FILE_BYTES);
  if (file.size === 0) throw new ValidationError([{ path: 'file', message: 'is empty' }]);
  return {
    kind: 'file',
    fileName: file.name,
    contentType: file.type === '' ? 'application/octet-stream' : file.type,
    bytes: new Uint8Array(await file.arrayBuffer()),
  };
}

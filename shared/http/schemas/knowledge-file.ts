import { z } from 'zod';
import { KNOWLEDGE_FAILURE_CODES, KNOWLEDGE_FILE_TYPES, MAX_KNOWLEDGE_FILE_BYTES } from '../../domain/knowledge/file-types.js';
import { MAX_KNOWLEDGE_URL_LENGTH } from '../../domain/knowledge/knowledge-file-fetch-job.js';
import { knowledgeFileStatusSchema, knowledgeSummarySchema } from '../../domain/knowledge/knowledge-file.js';
import { mediaUrlProblem } from '../../domain/media-url.js';
import { etagField, idParam, timestamp } from './common.js';

export const knowledgeFilePathParams = z.strictObject({
  id: idParam('knowledge base id'),
  fileId: idParam('file id'),
});

/** The shape of a knowledge file URL; whether the service will fetch it is the guarded fetcher's question. */
const knowledgeUrlSchema = z
  .string()
  .max(MAX_KNOWLEDGE_URL_LENGTH)
  .superRefine((url, ctx) => {
    const problem = mediaUrlProblem(url, false);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('a publicly reachable https:// URL; the backend fetches it');

export const addKnowledgeFileByUrlBody = z.strictObject({ url: knowledgeUrlSchema });

/** The multipart form of the same request, for the API description (the handler parses it with FormData). */
export const addKnowledgeFileMultipartBody = z.strictObject({
  file: z
    .string()
    .meta({ format: 'binary' })
    .describe(`the file (one part; at most ${MAX_KNOWLEDGE_FILE_BYTES / 2 ** 20} MB); its part's filename becomes originalName`),
});

/** A MIME type as RFC 6838 spells it (type/subtype, no parameters). */
const contentTypeSchema = z
  .string()
  .max(127)
  .regex(/^[A-Za-z0-9][\w!#$&^.+-]{0,63}\/[A-Za-z0-9][\w!#$&^.+-]{0,63}$/, 'must be a MIME type such as application/pdf')
  .describe('the type the file will be sent with; the ingest sniffs the bytes and does not trust it');

export const fileNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .refine((name) => ![...name].some((ch) => ch === '/' || ch === '\\' || ch.charCodeAt(0) < 0x20), {
    message: 'must be a file name without folders or control characters',
  });

export const createKnowledgeUploadBody = z.strictObject({
  fileName: fileNameSchema.describe('the name of the file on the client, shown as originalName'),
  contentType: contentTypeSchema,
  size: z
    .number()
    .int()
    .positive()
    .describe(`bytes the client will send; over the format's limit (at most ${MAX_KNOWLEDGE_FILE_BYTES / 2 ** 20} MB) the request fails with FileTooLarge`),
});

export const updateKnowledgeSummaryBody = z.strictObject({
  summary: knowledgeSummarySchema.describe('replaces the generated summary, also when the file is ingested again'),
});

export const knowledgeFileResponse = z.object({
  id: z.string(),
  knowledgeBaseId: z.string(),
  originalName: z.string(),
  contentType: z.string().describe('declared until the file is checked, then the type sniffed from its bytes'),
  size: z.number().int().describe('bytes; declared until the file lands, then measured'),
  type: z.enum(KNOWLEDGE_FILE_TYPES).nullable().describe('the format found in the bytes'),
  status: knowledgeFileStatusSchema,
  failureReason: z.enum(KNOWLEDGE_FAILURE_CODES).nullable().describe('why the file failed, a stable code'),
  failureMessage: z.string().nullable().describe('why the file failed, for people'),
  summary: z.string().nullable(),
  summarySource: z.enum(['generated', 'override']).nullable(),
  chunkCount: z.number().int().describe('passages indexed for search'),
  pageCount: z.number().int().nullable().describe('pages, for paged formats (pdf)'),
  createdAt: timestamp,
  updatedAt: timestamp,
  etag: etagField,
});

export const knowledgeUploadTicketResponse = z.object({
  file: knowledgeFileResponse,
  uploadUrl: z.string().describe('send the file here with a PUT; a secret until it expires, write-only, for this one file'),
  method: z.literal('PUT'),
  headers: z
    .object({ 'x-ms-blob-type': z.literal('BlockBlob'), 'content-type': z.string() })
    .describe('send these headers with the PUT'),
  expiresAt: timestamp.describe('the URL stops working at this time (15 minutes after the request)'),
});

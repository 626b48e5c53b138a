import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { readKnowledgeFileBody } from '../shared/http/knowledge-file-body.js';
import { pageQuerySchema, pageResponseSchema } from '../shared/http/pagination.js';
import { defineRoute } from '../shared/http/route.js';
import { knowledgeBasePathParams } from '../shared/http/schemas/knowledge-base.js';
import {
  addKnowledgeFileByUrlBody,
  addKnowledgeFileMultipartBody,
  knowledgeFilePathParams,
  knowledgeFileResponse,
  updateKnowledgeSummaryBody,
} from '../shared/http/schemas/knowledge-file.js';

const tags = ['Knowledge'];
const locationOf = (baseId: string, fileId: string) => `/public/knowledge-bases/${baseId}/files/${fileId}`;

const addKnowledgeFile = defineRoute({
  name: 'public-knowledge-file-add',
  method: 'POST',
  route: 'public/knowledge-bases/{id}/files',
  auth: 'apiKey',
  summary:
    'Add a file: JSON {"url": "https://..."} (the backend fetches it) or multipart/form-data with one file part (at ' +
    'most 50 MB, else 413 PayloadTooLarge). The file is then checked, extracted, chunked and indexed: status ' +
    'uploading → processing → ready, or failed with failureReason. pdf and docx up to 50 MB; txt, md, html, csv, json, ' +
    'png and jpeg up to 10 MB. 30 files per base (400 KnowledgeBaseFileLimitReached); a URL to a private address ' +
    'answers 400 UrlNotAllowed.',
  tags,
  params: knowledgeBasePathParams,
  // Read by readKnowledgeFileBody, which chooses by Content-Type.
  requestContent: { 'application/json': addKnowledgeFileByUrlBody, 'multipart/form-data': addKnowledgeFileMultipartBody },
  responses: { 201: { description: 'The new file, uploading', schema: knowledgeFileResponse } },
});

app.http(addKnowledgeFile.name, {
  route: addKnowledgeFile.route,
  methods: [addKnowledgeFile.method],
  authLevel: 'anonymous',
  handler: httpHandler(addKnowledgeFile, async ({ principal, params, request, services }) => {
    const body = await readKnowledgeFileBody(request);
    const file =
      body.kind === 'url'
        ? await services.knowledgeIntake.addFromUrl(principal, params.id, body.url)
        : await services.knowledgeIntake.addSentFile(principal, params.id, body);
    return { status: 201, body: file, etag: file.etag, location: locationOf(params.id, file.id) };
  }),
});

const listKnowledgeFiles = defineRoute({
  name: 'public-knowledge-files-list',
  method: 'GET',
  route: 'public/knowledge-bases/{id}/files',
  auth: 'apiKey',
  summary: 'The files of a knowledge base, newest first, with their status',
  tags,
  params: knowledgeBasePathParams,
  query: pageQuerySchema,
  responses: { 200: { description: 'A page of files', schema: pageResponseSchema(knowledgeFileResponse) } },
});

app.http(listKnowledgeFiles.name, {
  route: listKnowledgeFiles.route,
  methods: [listKnowledgeFiles.method],
  authLevel: 'anonymous',
  handler: httpHandler(listKnowledgeFiles, async ({ principal, params, query, services }) => ({
    status: 200,
    body: await services.knowledgeFiles.list(principal, params.id, query),
  })),
});

const getKnowledgeFile = defineRoute({
  name: 'public-knowledge-file-get',
  method: 'GET',
  route: 'public/knowledge-bases/{id}/files/{fileId}',
  auth: 'apiKey',
  summary: 'One file of a knowledge base',
  tags,
  params: knowledgeFilePathParams,
  responses: { 200: { description: 'The file', schema: knowledgeFileResponse } },
});

app.http(getKnowledgeFile.name, {
  route: getKnowledgeFile.route,
  methods: [getKnowledgeFile.method],
  authLevel: 'anonymous',
  handler: httpHandler(getKnowledgeFile, async ({ principal, params, services }) => {
    const file = await services.knowledgeFiles.get(principal, params.id, params.fileId);
    return { status: 200, body: file, etag: file.etag };
  }),
});

const deleteKnowledgeFile = defineRoute({
  name: 'public-knowledge-file-delete',
  method: 'DELETE',
  route: 'public/knowledge-bases/{id}/files/{fileId}',
  auth: 'apiKey',
  summary: 'Delete a file with its passages and its stored copy; its place in the base is free again',
  tags,
  params: knowledgeFilePathParams,
  responses: { 204: { description: 'Deleted' } },
});

app.http(deleteKnowledgeFile.name, {
  route: deleteKnowledgeFile.route,
  methods: [deleteKnowledgeFile.method],
  authLevel: 'anonymous',
  handler: httpHandler(deleteKnowledgeFile, async ({ principal, params, ifMatch, services }) => {
    await services.knowledgeFiles.delete(principal, params.id, params.fileId, ifMatch);
    return { status: 204 };
  }),
});

const updateKnowledgeSummary = defineRoute({
  name: 'public-knowledge-file-summary-update',
  method: 'PATCH',
  route: 'public/knowledge-bases/{id}/files/{fileId}/summary',
  auth: 'apiKey',
  summary: "Replace a file's summary with your own; it is kept when the file is ingested again",
  tags,
  params: knowledgeFilePathParams,
  body: updateKnowledgeSummaryBody,
  responses: { 200: { description: 'The file with its new summary', schema: knowledgeFileResponse } },
});

app.http(updateKnowledgeSummary.name, {
  route: updateKnowledgeSummary.route,
  methods: [updateKnowledgeSummary.method],
  authLevel: 'anonymous',
  handler: httpHandler(updateKnowledgeSummary, async ({ principal, params, body, ifMatch, services }) => {
    const file = await services.knowledgeFiles.setSummary(principal, params.id, params.fileId, body.summary, ifMatch);
    return { status: 200, body: file, etag: file.etag };
  }),
});

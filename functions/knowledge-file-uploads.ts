import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { defineRoute } from '../shared/http/route.js';
import { knowledgeBasePathParams } from '../shared/http/schemas/knowledge-base.js';
import { createKnowledgeUploadBody, knowledgeUploadTicketResponse } from '../shared/http/schemas/knowledge-file.js';

const createKnowledgeUpload = defineRoute({
  name: 'public-knowledge-file-upload-create',
  method: 'POST',
  route: 'public/knowledge-bases/{id}/files/uploads',
  auth: 'apiKey',
  summary:
    'Add a file through a short-lived upload URL, the alternative to multipart uploads for large files: the file is ' +
    'recorded (status uploading, counted against the 30-file limit); PUT its bytes to uploadUrl with the headers given, ' +
    'before expiresAt, and it is ingested like any other. A PUT of a new version later ingests it again.',
  tags: ['Knowledge'],
  params: knowledgeBasePathParams,
  body: createKnowledgeUploadBody,
  responses: { 201: { description: 'The file and where to send it', schema: knowledgeUploadTicketResponse } },
});

app.http(createKnowledgeUpload.name, {
  route: createKnowledgeUpload.route,
  methods: [createKnowledgeUpload.method],
  authLevel: 'anonymous',
  handler: httpHandler(createKnowledgeUpload, async ({ principal, params, body, services }) => {
    const ticket = await services.knowledgeIntake.requestUpload(principal, params.id, body);
    return { status: 201, body: ticket, location: `/public/knowledge-bases/${params.id}/files/${ticket.file.id}` };
  }),
});

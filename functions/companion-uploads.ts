import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { defineRoute } from '../shared/http/route.js';
import { companionPathParams } from '../shared/http/schemas/companion.js';
import { createUploadBody, uploadTicketResponse } from '../shared/http/schemas/companion-upload.js';

const createUpload = defineRoute({
  name: 'public-companion-upload-create',
  method: 'POST',
  route: 'public/companions/{id}/uploads',
  auth: 'apiKey',
  summary:
    'A short-lived upload URL for one media file, the alternative to media URLs: PUT the file to uploadUrl with the ' +
    'headers given, before expiresAt. The file is then checked like a fetched one (media[kind].status). Takes a medium ' +
    'the companion still waits for or one whose check rejected it (409 MediaUploadNotAccepted otherwise); kind must ' +
    'suit the companion (picture for v1, video for v2, voice for digital twins).',
  tags: ['Companions'],
  params: companionPathParams,
  body: createUploadBody,
  responses: { 201: { description: 'Where and how to send the file', schema: uploadTicketResponse } },
});

app.http(createUpload.name, {
  route: createUpload.route,
  methods: [createUpload.method],
  authLevel: 'anonymous',
  handler: httpHandler(createUpload, async ({ principal, params, body, services }) => ({
    status: 201,
    body: await services.mediaUploads.requestUpload(principal, params.id, body),
  })),
});

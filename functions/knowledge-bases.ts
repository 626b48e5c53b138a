import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { pageQuerySchema, pageResponseSchema } from '../shared/http/pagination.js';
import { defineRoute } from '../shared/http/route.js';
import { createKnowledgeBaseBody, knowledgeBasePathParams, knowledgeBaseResponse } from '../shared/http/schemas/knowledge-base.js';

const tags = ['Knowledge'];
const locationOf = (baseId: string) => `/public/knowledge-bases/${baseId}`;

const listKnowledgeBases = defineRoute({
  name: 'public-knowledge-bases-list',
  method: 'GET',
  route: 'public/knowledge-bases',
  auth: 'apiKey',
  summary: "The API key's project's knowledge bases, newest first",
  tags,
  query: pageQuerySchema,
  responses: { 200: { description: 'A page of knowledge bases', schema: pageResponseSchema(knowledgeBaseResponse) } },
});

app.http(listKnowledgeBases.name, {
  route: listKnowledgeBases.route,
  methods: [listKnowledgeBases.method],
  authLevel: 'anonymous',
  handler: httpHandler(listKnowledgeBases, async ({ principal, query, services }) => ({
    status: 200,
    body: await services.knowledgeBases.list(principal, query),
  })),
});

const createKnowledgeBase = defineRoute({
  name: 'public-knowledge-base-create',
  method: 'POST',
  route: 'public/knowledge-bases',
  auth: 'apiKey',
  summary: 'Create a knowledge base; add up to 30 files to it, then give its id to agents (knowledgeBaseId)',
  tags,
  body: createKnowledgeBaseBody,
  responses: { 201: { description: 'The new knowledge base', schema: knowledgeBaseResponse } },
});

app.http(createKnowledgeBase.name, {
  route: createKnowledgeBase.route,
  methods: [createKnowledgeBase.method],
  authLevel: 'anonymous',
  handler: httpHandler(createKnowledgeBase, async ({ principal, body, services }) => {
    const base = await services.knowledgeBases.create(principal, body);
    return { status: 201, body: base, etag: base.etag, location: locationOf(base.id) };
  }),
});

const getKnowledgeBase = defineRoute({
  name: 'public-knowledge-base-get',
  method: 'GET',
  route: 'public/knowledge-bases/{id}',
  auth: 'apiKey',
  summary: 'One knowledge base of the project',
  tags,
  params: knowledgeBasePathParams,
  responses: { 200: { description: 'The knowledge base', schema: knowledgeBaseResponse } },
});

app.http(getKnowledgeBase.name, {
  route: getKnowledgeBase.route,
  methods: [getKnowledgeBase.method],
  authLevel: 'anonymous',
  handler: httpHandler(getKnowledgeBase, async ({ principal, params, services }) => {
    const base = await services.knowledgeBases.get(principal, params.id);
    return { status: 200, body: base, etag: base.etag };
  }),
});

const deleteKnowledgeBase = defineRoute({
  name: 'public-knowledge-base-delete',
  method: 'DELETE',
  route: 'public/knowledge-bases/{id}',
  auth: 'apiKey',
  summary: 'Delete a knowledge base with all its files, their passages and their stored copies',
  tags,
  params: knowledgeBasePathParams,
  responses: { 204: { description: 'Deleted' } },
});

app.http(deleteKnowledgeBase.name, {
  route: deleteKnowledgeBase.route,
  methods: [deleteKnowledgeBase.method],
  authLevel: 'anonymous',
  handler: httpHandler(deleteKnowledgeBase, async ({ principal, params, ifMatch, services }) => {
    await services.knowledgeBases.delete(principal, params.id, ifMatch);
    return { status: 204 };
  }),
});

import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { defineRoute } from '../shared/http/route.js';
import { knowledgeBasePathParams } from '../shared/http/schemas/knowledge-base.js';
import { knowledgeSearchBody, knowledgeSearchResponse } from '../shared/http/schemas/knowledge-search.js';

const searchKnowledgeBase = defineRoute({
  name: 'public-knowledge-base-search',
  method: 'POST',
  route: 'public/knowledge-bases/{id}/search',
  auth: 'apiKey',
  summary:
    "The passages of the base's ready files that best answer a query, best first, with file, page (pdf) and heading " +
    'path: lexical ranking, fused with vector similarity when an Azure OpenAI embedding deployment is configured',
  tags: ['Knowledge'],
  params: knowledgeBasePathParams,
  body: knowledgeSearchBody,
  responses: { 200: { description: 'Ranked passages', schema: knowledgeSearchResponse } },
});

app.http(searchKnowledgeBase.name, {
  route: searchKnowledgeBase.route,
  methods: [searchKnowledgeBase.method],
  authLevel: 'anonymous',
  handler: httpHandler(searchKnowledgeBase, async ({ principal, params, body, services }) => ({
    status: 200,
    body: await services.knowledgeSearch.search(principal, params.id, body),
  })),
});

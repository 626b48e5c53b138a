import { app } from './registration.js';
import { z } from 'zod';
import { httpHandler } from '../shared/http/http-handler.js';
import { openApiDocumentFor } from '../shared/http/openapi.js';
import { defineRoute } from '../shared/http/route.js';
import { routeRegistry } from '../shared/http/route-registry.js';

const openApi = defineRoute({
  name: 'openapi',
  method: 'GET',
  route: 'openapi.json',
  auth: 'none',
  summary: 'The OpenAPI 3.1 description of every route, generated from the schemas that validate requests',
  tags: ['Health'],
  responses: { 200: { description: 'An OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) } },
});

app.http(openApi.name, {
  route: openApi.route,
  methods: [openApi.method],
  authLevel: 'anonymous',
  handler: httpHandler(openApi, async () => ({
    status: 200,
    body: openApiDocumentFor(routeRegistry, {
      title: 'Companion API',
      version: '1.0.0',
      description: 'Conversational avatar agents: public API (X-Api-Key) and management API (/manage, Entra ID).',
    }),
    // The description changes only with a deployment.
    headers: { 'Cache-Control': 'public, max-age=300' },
  })),
});

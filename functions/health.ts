import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { defineRoute } from '../shared/http/route.js';
import { healthResponse } from '../shared/http/schemas/health.js';

const health = defineRoute({
  name: 'health',
  method: 'GET',
  route: 'health',
  auth: 'none',
  summary: 'Whether the service and its dependencies (storage, Cosmos DB) answer',
  tags: ['Health'],
  responses: {
    200: { description: 'Every dependency answers', schema: healthResponse },
    503: { description: 'A dependency does not answer', schema: healthResponse },
  },
});

app.http(health.name, {
  route: health.route,
  methods: [health.method],
  authLevel: 'anonymous',
  handler: httpHandler(health, async ({ services }) => {
    const report = await services.health.check();
    const body = { status: report.status, checks: { storage: report.checks.storage ?? 'error', cosmos: report.checks.cosmos ?? 'error' } };
    return report.status === 'ok' ? { status: 200, body } : { status: 503, body };
  }),
});

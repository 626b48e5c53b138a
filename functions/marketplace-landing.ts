import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { defineRoute } from '../shared/http/route.js';
import { marketplaceLandingQuery, marketplaceLandingResponse } from '../shared/http/schemas/marketplace.js';

const marketplaceLanding = defineRoute({
  name: 'marketplace-landing',
  method: 'GET',
  route: 'marketplace/landing',
  auth: 'none',
  summary:
    'The Azure Marketplace landing page: resolves the purchase token, creates (or finds) the organization, makes the ' +
    'purchaser its admin and activates the subscription. Repeating it is harmless.',
  tags: ['Marketplace'],
  query: marketplaceLandingQuery,
  responses: { 200: { description: 'What the landing did', schema: marketplaceLandingResponse } },
});

app.http(marketplaceLanding.name, {
  route: marketplaceLanding.route,
  methods: [marketplaceLanding.method],
  authLevel: 'anonymous',
  handler: httpHandler(marketplaceLanding, async ({ query, services }) => {
    const result = await services.marketplace.land(query.token);
    return {
      status: 200,
      body: {
        ...result,
        next: `Sign in to the management API (/manage) with the Entra account ${result.admin.email ?? result.admin.userId ?? 'that bought the offer'}; it is an admin of organization ${result.organization.id}.`,
      },
    };
  }),
});

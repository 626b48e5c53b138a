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
  responses: {
    200: { description: 'What the landing did', schema: marketplaceLandingResponse },
    302: { description: 'A browser (Accept: text/html, not JSON) is sent on to the dashboard, which lands the purchase and signs the buyer in' },
  },
});

/** The buyer's browser, sent here by the Azure portal, wants a page: the dashboard's welcome, which calls this route for JSON. */
function wantsPage(accept: string | null): boolean {
  if (accept === null) return false;
  return /\btext\/html\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept);
}

app.http(marketplaceLanding.name, {
  route: marketplaceLanding.route,
  methods: [marketplaceLanding.method],
  authLevel: 'anonymous',
  handler: httpHandler(marketplaceLanding, async ({ query, services, request }) => {
    if (wantsPage(request.headers.get('accept'))) {
      return { status: 302, location: `/dashboard/?marketplaceToken=${encodeURIComponent(query.token)}` };
    }
    const result = await services.marketplace.land(query.token);
    return {
      status: 200,
      body: {
        ...result,
        next: `Sign in to the dashboard (/dashboard/) or the management API (/manage) with the Entra account ${result.admin.email ?? result.admin.userId ?? 'that bought the offer'}; it is an admin of organization ${result.organization.id}.`,
      },
    };
  }),
});

import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { readJsonBody } from '../shared/http/json-body.js';
import { defineRoute } from '../shared/http/route.js';
import { marketplaceWebhookBody, marketplaceWebhookResponse } from '../shared/http/schemas/marketplace.js';
import { parseInput } from '../shared/http/zod-problems.js';

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

const marketplaceWebhook = defineRoute({
  name: 'marketplace-webhook',
  method: 'POST',
  route: 'marketplace/webhook',
  auth: 'none',
  summary:
    "The Azure Marketplace's lifecycle calls (ChangePlan, ChangeQuantity, Suspend, Reinstate, Renew, Unsubscribe), " +
    "with the Marketplace's Entra ID token as bearer (401 when it is not valid for this service, 403 when it is not " +
    "the Marketplace's). The operation is confirmed with the Marketplace before it is acted on (404 when it is not).",
  tags: ['Marketplace'],
  requestContent: { 'application/json': marketplaceWebhookBody },
  responses: { 200: { description: 'The operation and what was done', schema: marketplaceWebhookResponse } },
});

app.http(marketplaceWebhook.name, {
  route: marketplaceWebhook.route,
  methods: [marketplaceWebhook.method],
  authLevel: 'anonymous',
  handler: httpHandler(marketplaceWebhook, async ({ request, services }) => {
    // The caller is checked before the body is read: nothing of an unauthenticated request is parsed.
    await services.marketplace.authenticateWebhook(BEARER.exec(request.headers.get('authorization') ?? '')?.[1]);
    const notification = parseInput(marketplaceWebhookBody, await readJsonBody(request, 64 * 1024));
    return { status: 200, body: await services.marketplace.handleWebhook(notification) };
  }),
});

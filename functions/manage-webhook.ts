import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { pageQuerySchema, pageResponseSchema } from '../shared/http/pagination.js';
import { defineRoute } from '../shared/http/route.js';
import {
  putWebhookBody,
  webhookDeliveryResponse,
  webhookPathParams,
  webhookResponse,
  webhookWithSecretResponse,
} from '../shared/http/schemas/webhook.js';

const tags = ['Management: webhooks'];
const locationOf = (projectId: string) => `/manage/projects/${projectId}/webhook`;

const putWebhook = defineRoute({
  name: 'manage-webhook-put',
  method: 'PUT',
  route: 'manage/projects/{projectId}/webhook',
  auth: 'manage',
  summary: "Create or replace the project's webhook (admins); the first PUT returns the signing secret, once",
  description:
    'The URL must be https:// and publicly reachable (400 UrlNotAllowed otherwise). `events` defaults to every type, `enabled` to true. ' +
    'Later PUTs keep the secret; rotate it with POST .../webhook/secret.',
  tags,
  params: webhookPathParams,
  body: putWebhookBody,
  responses: {
    201: { description: 'The webhook was made; its secret is shown only here', schema: webhookWithSecretResponse },
    200: { description: 'The webhook was replaced (same secret)', schema: webhookResponse },
  },
});

app.http(putWebhook.name, {
  route: putWebhook.route,
  methods: [putWebhook.method],
  authLevel: 'anonymous',
  handler: httpHandler(putWebhook, async ({ principal, params, body, ifMatch, services }) => {
    const saved = await services.webhooks.put(principal, params.projectId, body, ifMatch);
    if (saved.created && saved.secret !== undefined) {
      return { status: 201, body: { ...saved.webhook, secret: saved.secret }, etag: saved.webhook.etag, location: locationOf(params.projectId) };
    }
    return { status: 200, body: saved.webhook, etag: saved.webhook.etag };
  }),
});

const getWebhook = defineRoute({
  name: 'manage-webhook-get',
  method: 'GET',
  route: 'manage/projects/{projectId}/webhook',
  auth: 'manage',
  summary: "The project's webhook, without its secrets (admins)",
  tags,
  params: webhookPathParams,
  responses: { 200: { description: 'The webhook', schema: webhookResponse } },
});

app.http(getWebhook.name, {
  route: getWebhook.route,
  methods: [getWebhook.method],
  authLevel: 'anonymous',
  handler: httpHandler(getWebhook, async ({ principal, params, services }) => {
    const webhook = await services.webhooks.get(principal, params.projectId);
    return { status: 200, body: webhook, etag: webhook.etag };
  }),
});

const deleteWebhook = defineRoute({
  name: 'manage-webhook-delete',
  method: 'DELETE',
  route: 'manage/projects/{projectId}/webhook',
  auth: 'manage',
  summary: "Remove the project's webhook (admins); events are no longer delivered and pending retries are skipped",
  tags,
  params: webhookPathParams,
  responses: { 204: { description: 'Removed' } },
});

app.http(deleteWebhook.name, {
  route: deleteWebhook.route,
  methods: [deleteWebhook.method],
  authLevel: 'anonymous',
  handler: httpHandler(deleteWebhook, async ({ principal, params, ifMatch, services }) => {
    await services.webhooks.delete(principal, params.projectId, ifMatch);
    return { status: 204 };
  }),
});

const rotateWebhookSecret = defineRoute({
  name: 'manage-webhook-secret-rotate',
  method: 'POST',
  route: 'manage/projects/{projectId}/webhook/secret',
  auth: 'manage',
  summary: 'Replace the signing secret (admins) and return the new one, once; the previous one keeps signing for 24 hours',
  tags,
  params: webhookPathParams,
  responses: { 200: { description: 'The webhook with its new secret', schema: webhookWithSecretResponse } },
});

app.http(rotateWebhookSecret.name, {
  route: rotateWebhookSecret.route,
  methods: [rotateWebhookSecret.method],
  authLevel: 'anonymous',
  handler: httpHandler(rotateWebhookSecret, async ({ principal, params, ifMatch, services }) => {
    const { webhook, secret } = await services.webhooks.rotateSecret(principal, params.projectId, ifMatch);
    return { status: 200, body: { ...webhook, secret }, etag: webhook.etag };
  }),
});

const listDeliveries = defineRoute({
  name: 'manage-webhook-deliveries-list',
  method: 'GET',
  route: 'manage/projects/{projectId}/webhook/deliveries',
  auth: 'manage',
  summary: "The project's recent webhook deliveries, newest first (admins)",
  tags,
  params: webhookPathParams,
  query: pageQuerySchema,
  responses: { 200: { description: 'A page of deliveries', schema: pageResponseSchema(webhookDeliveryResponse) } },
});

app.http(listDeliveries.name, {
  route: listDeliveries.route,
  methods: [listDeliveries.method],
  authLevel: 'anonymous',
  handler: httpHandler(listDeliveries, async ({ principal, params, query, services }) => ({
    status: 200,
    body: await services.webhooks.listDeliveries(principal, params.projectId, query),
  })),
});

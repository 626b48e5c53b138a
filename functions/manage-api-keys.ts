import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { pageQuerySchema, pageResponseSchema } from '../shared/http/pagination.js';
import { defineRoute } from '../shared/http/route.js';
import {
  apiKeyResponse,
  createApiKeyBody,
  createdApiKeyResponse,
  projectKeyPathParams,
  projectPathParams,
} from '../shared/http/schemas/api-key.js';

const tags = ['Management: API keys'];

const createApiKey = defineRoute({
  name: 'manage-api-key-create',
  method: 'POST',
  route: 'manage/projects/{projectId}/api-keys',
  auth: 'manage',
  summary: 'Create an API key with its LLM configuration (admins); the secret is returned only here',
  tags,
  params: projectPathParams,
  body: createApiKeyBody,
  responses: { 201: { description: 'The new key, with its secret', schema: createdApiKeyResponse } },
});

app.http(createApiKey.name, {
  route: createApiKey.route,
  methods: [createApiKey.method],
  authLevel: 'anonymous',
  handler: httpHandler(createApiKey, async ({ principal, params, body, services }) => {
    const { apiKey, secret } = await services.apiKeys.create(principal, params.projectId, body);
    return {
      status: 201,
      body: { ...apiKey, secret },
      location: `/manage/projects/${apiKey.projectId}/api-keys/${apiKey.id}`,
    };
  }),
});

const listApiKeys = defineRoute({
  name: 'manage-api-keys-list',
  method: 'GET',
  route: 'manage/projects/{projectId}/api-keys',
  auth: 'manage',
  summary: "A project's API keys, without secrets (admins)",
  tags,
  params: projectPathParams,
  query: pageQuerySchema,
  responses: { 200: { description: 'A page of keys', schema: pageResponseSchema(apiKeyResponse) } },
});

app.http(listApiKeys.name, {
  route: listApiKeys.route,
  methods: [listApiKeys.method],
  authLevel: 'anonymous',
  handler: httpHandler(listApiKeys, async ({ principal, params, query, services }) => ({
    status: 200,
    body: await services.apiKeys.list(principal, params.projectId, query),
  })),
});

const getApiKey = defineRoute({
  name: 'manage-api-key-get',
  method: 'GET',
  route: 'manage/projects/{projectId}/api-keys/{keyId}',
  auth: 'manage',
  summary: 'One API key, without its secret (admins)',
  tags,
  params: projectKeyPathParams,
  responses: { 200: { description: 'The key', schema: apiKeyResponse } },
});

app.http(getApiKey.name, {
  route: getApiKey.route,
  methods: [getApiKey.method],
  authLevel: 'anonymous',
  handler: httpHandler(getApiKey, async ({ principal, params, services }) => ({
    status: 200,
    body: await services.apiKeys.get(principal, params.projectId, params.keyId),
  })),
});

const revokeApiKey = defineRoute({
  name: 'manage-api-key-revoke',
  method: 'DELETE',
  route: 'manage/projects/{projectId}/api-keys/{keyId}',
  auth: 'manage',
  summary: 'Revoke an API key (admins); it stops working on the next request',
  tags,
  params: projectKeyPathParams,
  responses: { 204: { description: 'Revoked' } },
});

app.http(revokeApiKey.name, {
  route: revokeApiKey.route,
  methods: [revokeApiKey.method],
  authLevel: 'anonymous',
  handler: httpHandler(revokeApiKey, async ({ principal, params, services }) => {
    await services.apiKeys.revoke(principal, params.projectId, params.keyId);
    return { status: 204 };
  }),
});

import { app } from './registration.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { pageQuerySchema, pageResponseSchema } from '../shared/http/pagination.js';
import { defineRoute } from '../shared/http/route.js';
import {
  agentFunctionResponse,
  agentFunctionWithSecretResponse,
  functionDefinitionBody,
  functionPathParams,
} from '../shared/http/schemas/agent-function.js';

const tags = ['Functions'];
const locationOf = (functionId: string) => `/public/functions/${functionId}`;

const listFunctions = defineRoute({
  name: 'public-functions-list',
  method: 'GET',
  route: 'public/functions',
  auth: 'apiKey',
  summary: "The API key's project's functions (tools), newest first; headers are never shown, only their names",
  tags,
  query: pageQuerySchema,
  responses: { 200: { description: 'A page of functions', schema: pageResponseSchema(agentFunctionResponse) } },
});

app.http(listFunctions.name, {
  route: listFunctions.route,
  methods: [listFunctions.method],
  authLevel: 'anonymous',
  handler: httpHandler(listFunctions, async ({ principal, query, services }) => ({
    status: 200,
    body: await services.agentFunctions.list(principal, query),
  })),
});

const createFunction = defineRoute({
  name: 'public-function-create',
  method: 'POST',
  route: 'public/functions',
  auth: 'apiKey',
  summary:
    'Create a function: `data.parameters` must be a valid JSON Schema of an object; explicit functions need an https:// ' +
    'or wss:// url (implicit ones take none); names are unique in the project (409 FunctionNameTaken). The answer carries ' +
    'the signing secret of the calls to the endpoint, shown this once',
  tags,
  body: functionDefinitionBody,
  responses: { 201: { description: 'The new function, with its signing secret', schema: agentFunctionWithSecretResponse } },
});

app.http(createFunction.name, {
  route: createFunction.route,
  methods: [createFunction.method],
  authLevel: 'anonymous',
  handler: httpHandler(createFunction, async ({ principal, body, services }) => {
    const fn = await services.agentFunctions.create(principal, body);
    return { status: 201, body: fn, etag: fn.etag, location: locationOf(fn.id) };
  }),
});

const getFunction = defineRoute({
  name: 'public-function-get',
  method: 'GET',
  route: 'public/functions/{id}',
  auth: 'apiKey',
  summary: 'One function of the project',
  tags,
  params: functionPathParams,
  responses: { 200: { description: 'The function', schema: agentFunctionResponse } },
});

app.http(getFunction.name, {
  route: getFunction.route,
  methods: [getFunction.method],
  authLevel: 'anonymous',
  handler: httpHandler(getFunction, async ({ principal, params, services }) => {
    const fn = await services.agentFunctions.get(principal, params.id);
    return { status: 200, body: fn, etag: fn.etag };
  }),
});

const replaceFunction = defineRoute({
  name: 'public-function-replace',
  method: 'PUT',
  route: 'public/functions/{id}',
  auth: 'apiKey',
  summary:
    'Replace a function with a whole new definition; headers are write-only, so send them again (left out, the function ' +
    'has none)',
  tags,
  params: functionPathParams,
  body: functionDefinitionBody,
  responses: { 200: { description: 'The replaced function', schema: agentFunctionResponse } },
});

app.http(replaceFunction.name, {
  route: replaceFunction.route,
  methods: [replaceFunction.method],
  authLevel: 'anonymous',
  handler: httpHandler(replaceFunction, async ({ principal, params, body, ifMatch, services }) => {
    const fn = await services.agentFunctions.replace(principal, params.id, body, ifMatch);
    return { status: 200, body: fn, etag: fn.etag };
  }),
});

const deleteFunction = defineRoute({
  name: 'public-function-delete',
  method: 'DELETE',
  route: 'public/functions/{id}',
  auth: 'apiKey',
  summary: 'Delete a function; refused while an agent uses it (409 FunctionInUse)',
  tags,
  params: functionPathParams,
  responses: { 204: { description: 'Deleted' } },
});

app.http(deleteFunction.name, {
  route: deleteFunction.route,
  methods: [deleteFunction.method],
  authLevel: 'anonymous',
  handler: httpHandler(deleteFunction, async ({ principal, params, ifMatch, services }) => {
    await services.agentFunctions.delete(principal, params.id, ifMatch);
    return { status: 204 };
  }),
});

const rotateSigningSecret = defineRoute({
  name: 'public-function-signing-secret-rotate',
  method: 'POST',
  route: 'public/functions/{id}/signing-secret',
  auth: 'apiKey',
  summary: 'Replace the secret that signs calls to the endpoint; the new one is returned once and the old one stops at once',
  tags,
  params: functionPathParams,
  responses: { 200: { description: 'The function with its new signing secret', schema: agentFunctionWithSecretResponse } },
});

app.http(rotateSigningSecret.name, {
  route: rotateSigningSecret.route,
  methods: [rotateSigningSecret.method],
  authLevel: 'anonymous',
  handler: httpHandler(rotateSigningSecret, async ({ principal, params, ifMatch, services }) => {
    const fn = await services.agentFunctions.rotateSigningSecret(principal, params.id, ifMatch);
    return { status: 200, body: fn, etag: fn.etag };
  }),
});

import { app } from './registration.js';
import { MAX_AGENTS_PER_ORGANIZATION } from '../shared/domain/agent.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { pageQuerySchema, pageResponseSchema } from '../shared/http/pagination.js';
import { defineRoute } from '../shared/http/route.js';
import { agentPathParams, agentResponse, createAgentBody, updateAgentBody } from '../shared/http/schemas/agent.js';

const tags = ['Agents'];
const locationOf = (agentId: string) => `/public/agents/${agentId}`;

const listAgents = defineRoute({
  name: 'public-agents-list',
  method: 'GET',
  route: 'public/agents',
  auth: 'apiKey',
  summary: "The API key's project's agents, newest first",
  tags,
  query: pageQuerySchema,
  responses: { 200: { description: 'A page of agents', schema: pageResponseSchema(agentResponse) } },
});

app.http(listAgents.name, {
  route: listAgents.route,
  methods: [listAgents.method],
  authLevel: 'anonymous',
  handler: httpHandler(listAgents, async ({ principal, query, services }) => ({
    status: 200,
    body: await services.agents.list(principal, query),
  })),
});

const createAgent = defineRoute({
  name: 'public-agent-create',
  method: 'POST',
  route: 'public/agents',
  auth: 'apiKey',
  summary:
    'Create an agent from a usable companion (409 CompanionNotReady otherwise) and functions, FAQ collections and a ' +
    `knowledge base of the same project (400 naming each unknown id); at most ${MAX_AGENTS_PER_ORGANIZATION} agents per ` +
    'organization (409 AgentLimitExceeded)',
  tags,
  body: createAgentBody,
  responses: { 201: { description: 'The new agent', schema: agentResponse } },
});

app.http(createAgent.name, {
  route: createAgent.route,
  methods: [createAgent.method],
  authLevel: 'anonymous',
  handler: httpHandler(createAgent, async ({ principal, body, services }) => {
    const agent = await services.agents.create(principal, body);
    return { status: 201, body: agent, etag: agent.etag, location: locationOf(agent.id) };
  }),
});

const getAgent = defineRoute({
  name: 'public-agent-get',
  method: 'GET',
  route: 'public/agents/{id}',
  auth: 'apiKey',
  summary: 'One agent of the project',
  tags,
  params: agentPathParams,
  responses: { 200: { description: 'The agent', schema: agentResponse } },
});

app.http(getAgent.name, {
  route: getAgent.route,
  methods: [getAgent.method],
  authLevel: 'anonymous',
  handler: httpHandler(getAgent, async ({ principal, params, services }) => {
    const agent = await services.agents.get(principal, params.id);
    return { status: 200, body: agent, etag: agent.etag };
  }),
});

const updateAgent = defineRoute({
  name: 'public-agent-update',
  method: 'PATCH',
  route: 'public/agents/{id}',
  auth: 'apiKey',
  summary:
    'Change an agent: each field given replaces the current one (functions, faqCollections and tags as a whole), null ' +
    'removes an optional one, and in providerSettings each setting given replaces that setting',
  tags,
  params: agentPathParams,
  body: updateAgentBody,
  responses: { 200: { description: 'The changed agent', schema: agentResponse } },
});

app.http(updateAgent.name, {
  route: updateAgent.route,
  methods: [updateAgent.method],
  authLevel: 'anonymous',
  handler: httpHandler(updateAgent, async ({ principal, params, body, ifMatch, services }) => {
    const agent = await services.agents.update(principal, params.id, body, ifMatch);
    return { status: 200, body: agent, etag: agent.etag };
  }),
});

const deleteAgent = defineRoute({
  name: 'public-agent-delete',
  method: 'DELETE',
  route: 'public/agents/{id}',
  auth: 'apiKey',
  summary: "Delete an agent; its organization's slot becomes free",
  tags,
  params: agentPathParams,
  responses: { 204: { description: 'Deleted' } },
});

app.http(deleteAgent.name, {
  route: deleteAgent.route,
  methods: [deleteAgent.method],
  authLevel: 'anonymous',
  handler: httpHandler(deleteAgent, async ({ principal, params, ifMatch, services }) => {
    await services.agents.delete(principal, params.id, ifMatch);
    return { status: 204 };
  }),
});

import { app } from '@azure/functions';
import type { Session } from '../shared/domain/session.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { defineRoute } from '../shared/http/route.js';
import {
  agentConnectionPathParams,
  connectionResponse,
  createConnectionBody,
  sessionMessageBody,
  sessionMessageResponse,
  sessionPathParams,
  sessionResponse,
} from '../shared/http/schemas/session.js';

const tags = ['Sessions'];

function viewOf(session: Session, now: Date) {
  const started = session.startedAt === undefined ? undefined : Date.parse(session.startedAt);
  const ended = session.closedAt === undefined ? now.getTime() : Date.parse(session.closedAt);
  return {
    ...session,
    activeSeconds: started === undefined ? 0 : Math.max(0, Math.floor((ended - started) / 1000)),
    transcript: session.transcript.map((entry) => ({ ...entry, toolCalls: entry.toolCalls?.map((call) => ({ ...call })) })),
  };
}

const createConnection = defineRoute({
  name: 'public-agent-connection-create',
  method: 'POST',
  route: 'public/agents/{agentId}/connections',
  auth: 'apiKey',
  summary:
    'Open a session with an agent and get its session token (valid 15 minutes); only channelType "text" for now ' +
    '(400 ChannelNotSupportedYet otherwise)',
  tags,
  params: agentConnectionPathParams,
  body: createConnectionBody,
  responses: { 201: { description: 'The session token and the connection', schema: connectionResponse } },
});

app.http(createConnection.name, {
  route: createConnection.route,
  methods: [createConnection.method],
  authLevel: 'anonymous',
  handler: httpHandler(createConnection, async ({ principal, params, body, services }) => {
    const { token, session, expiresAt } = await services.sessions.connect(principal, params.agentId, body);
    return {
      status: 201,
      body: { token, connection: { id: session.id, expiresAt: expiresAt.toISOString() } },
      location: `/public/sessions/${session.id}`,
    };
  }),
});

const getSession = defineRoute({
  name: 'public-session-get',
  method: 'GET',
  route: 'public/sessions/{id}',
  auth: 'apiKey',
  summary: 'One session of the project, with its transcript',
  tags,
  params: sessionPathParams,
  responses: { 200: { description: 'The session', schema: sessionResponse } },
});

app.http(getSession.name, {
  route: getSession.route,
  methods: [getSession.method],
  authLevel: 'anonymous',
  handler: httpHandler(getSession, async ({ principal, params, services }) => ({
    status: 200,
    body: viewOf(await services.sessions.get(principal, params.id), new Date()),
  })),
});

const postMessage = defineRoute({
  name: 'public-session-message',
  method: 'POST',
  route: 'public/sessions/{id}/messages',
  auth: 'session',
  summary:
    "Send a message in a text session (session token as bearer; 401 InvalidSessionToken for another session's) and get " +
    "the agent's reply; 409 FunctionCallsNotSupportedYet when the model calls a project function",
  tags,
  params: sessionPathParams,
  body: sessionMessageBody,
  responses: { 200: { description: "The agent's reply, events and the tool calls of the turn", schema: sessionMessageResponse } },
});

app.http(postMessage.name, {
  route: postMessage.route,
  methods: [postMessage.method],
  authLevel: 'anonymous',
  handler: httpHandler(postMessage, async ({ principal, params, body, services }) => ({
    status: 200,
    body: await services.sessions.message(principal, params.id, body),
  })),
});

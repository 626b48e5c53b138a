import { app } from './registration.js';
import type { Session, SessionSummary } from '../shared/domain/session.js';
import { formatServerSentEvent } from '../shared/domain/session-stream.js';
import { pageResponseSchema } from '../shared/http/pagination.js';
import { httpHandler } from '../shared/http/http-handler.js';
import { defineRoute } from '../shared/http/route.js';
import {
  agentConnectionPathParams,
  connectionPathParams,
  connectionResponse,
  listSessionsQuery,
  renewedTokenResponse,
  sessionSummaryResponse,
  createConnectionBody,
  createInlineConnectionBody,
  functionCallBody,
  functionCallResponse,
  functionOutputBody,
  sessionMessageBody,
  sessionMessageResponse,
  sessionPathParams,
  sessionResponse,
} from '../shared/http/schemas/session.js';

const tags = ['Sessions'];

function summaryOf(session: SessionSummary, now: Date) {
  const started = session.startedAt === undefined ? undefined : Date.parse(session.startedAt);
  const live = started === undefined ? 0 : Math.max(0, Math.floor(((session.closedAt === undefined ? now.getTime() : Date.parse(session.closedAt)) - started) / 1000));
  return {
    ...session,
    activeSeconds: session.activeSeconds ?? live,
    cost: session.cost === undefined ? undefined : { ...session.cost, amount: session.cost.amountMicros / 1_000_000 },
  };
}

function viewOf(session: Session, now: Date) {
  return {
    ...summaryOf(session, now),
    transcript: session.transcript.map((entry) => ({ ...entry, toolCalls: entry.toolCalls?.map((call) => ({ ...call })) })),
    pendingFunctionCalls: (session.pendingTurn?.calls ?? [])
      .filter((call) => call.outcome === undefined)
      .map(({ callId, name, arguments: args, deadline }) => ({ callId, name, arguments: args, deadline })),
  };
}

const createConnection = defineRoute({
  name: 'public-agent-connection-create',
  method: 'POST',
  route: 'public/agents/{agentId}/connections',
  auth: 'apiKey',
  dashboard: 'playground',
  summary:
    'Open a session with an agent and get its session token (valid 15 minutes unless SESSION_TOKEN_TTL_SECONDS says ' +
    'otherwise; a session not started by then closes with connection_timeout)',
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
    const { token, session, expiresAt, realtime } = await services.sessions.connect(principal, params.agentId, body);
    return {
      status: 201,
      body: { token, connection: { id: session.id, expiresAt: expiresAt.toISOString() }, realtime },
      location: `/public/sessions/${session.id}`,
    };
  }),
});

const createInlineConnection = defineRoute({
  name: 'public-connection-create',
  method: 'POST',
  route: 'public/connections',
  auth: 'apiKey',
  dashboard: 'playground',
  summary:
    'Open a session without a saved agent: the companion, voice, settings, functions, FAQs and knowledge base are given ' +
    'inline and checked as an agent\'s would be',
  tags,
  body: createInlineConnectionBody,
  responses: { 201: { description: 'The session token and the connection', schema: connectionResponse } },
});

app.http(createInlineConnection.name, {
  route: createInlineConnection.route,
  methods: [createInlineConnection.method],
  authLevel: 'anonymous',
  handler: httpHandler(createInlineConnection, async ({ principal, body, services }) => {
    const { channelType, modality, externalClientId, externalClientProfile, initialSpeech, tags: sessionTags, providerConfig, ...configuration } = body;
    const { token, session, expiresAt, realtime } = await services.sessions.connectInline(principal, {
      channelType,
      modality,
      externalClientId,
      externalClientProfile,
      initialSpeech,
      tags: sessionTags,
      configuration: { ...configuration, voiceId: providerConfig?.voiceId, providerSettings: providerConfig?.settings },
    });
    return {
      status: 201,
      body: { token, connection: { id: session.id, expiresAt: expiresAt.toISOString() }, realtime },
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
    "the agent's reply. When the model calls implicit functions the reply is null and function_implicitly_called events " +
    'say what to run: answer each with function-outputs; 409 FunctionCallPending while they are awaited',
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

const postFunctionOutput = defineRoute({
  name: 'public-session-function-output',
  method: 'POST',
  route: 'public/sessions/{id}/function-outputs',
  auth: 'session',
  summary:
    "The output of an implicit function call (session token). Once every call of the turn is answered the turn goes on " +
    'and this returns its reply; 409 FunctionCallTimedOut after the deadline, 409 FunctionCallAlreadySettled for a ' +
    'different second answer, 404 for an unknown callId',
  tags,
  params: sessionPathParams,
  body: functionOutputBody,
  responses: { 200: { description: 'The reply once the turn goes on, or the calls still awaited', schema: sessionMessageResponse } },
});

app.http(postFunctionOutput.name, {
  route: postFunctionOutput.route,
  methods: [postFunctionOutput.method],
  authLevel: 'anonymous',
  handler: httpHandler(postFunctionOutput, async ({ principal, params, body, services }) => ({
    status: 200,
    body: await services.sessions.functionOutput(principal, params.id, body),
  })),
});

const postFunctionCall = defineRoute({
  name: 'public-session-function-call',
  method: 'POST',
  route: 'public/sessions/{id}/function-calls',
  auth: 'session',
  summary:
    'Run an explicit function or the built-in search_knowledge by name, for a client that talks to the realtime model ' +
    'itself (session token); the call is signed and recorded in the transcript. 400 FunctionNotExplicit for an implicit ' +
    "function, 404 for a name the session's agent does not have",
  tags,
  params: sessionPathParams,
  body: functionCallBody,
  responses: { 200: { description: "The function's output", schema: functionCallResponse } },
});

app.http(postFunctionCall.name, {
  route: postFunctionCall.route,
  methods: [postFunctionCall.method],
  authLevel: 'anonymous',
  handler: httpHandler(postFunctionCall, async ({ principal, params, body, services }) => ({
    status: 200,
    body: await services.sessions.functionCall(principal, params.id, body),
  })),
});

const endConnection = defineRoute({
  name: 'public-connection-delete',
  method: 'DELETE',
  route: 'public/connections/{id}',
  auth: 'apiKey',
  dashboard: 'playground',
  summary: 'End a live session (closeReason connection_closed, or not_started if it never started); ending an ended one changes nothing',
  tags,
  params: connectionPathParams,
  responses: { 200: { description: 'The session as it closed, with its active time and cost', schema: sessionSummaryResponse } },
});

app.http(endConnection.name, {
  route: endConnection.route,
  methods: [endConnection.method],
  authLevel: 'anonymous',
  handler: httpHandler(endConnection, async ({ principal, params, services }) => ({
    status: 200,
    body: summaryOf(await services.sessionLifecycle.endConnection(principal, params.id), new Date()),
  })),
});

const listSessions = defineRoute({
  name: 'public-sessions-list',
  method: 'GET',
  route: 'public/sessions',
  auth: 'apiKey',
  summary: "The project's sessions, newest first, without transcripts; filters companionId, externalClientId, status, tags, search",
  tags,
  query: listSessionsQuery,
  responses: { 200: { description: 'A page of sessions', schema: pageResponseSchema(sessionSummaryResponse) } },
});

app.http(listSessions.name, {
  route: listSessions.route,
  methods: [listSessions.method],
  authLevel: 'anonymous',
  handler: httpHandler(listSessions, async ({ principal, query, services }) => {
    const { pageIndex, pageSize, tags: tagPairs, ...filter } = query;
    const page = await services.sessionLifecycle.list(
      principal,
      { ...filter, tags: tagPairs === undefined ? undefined : Object.fromEntries(tagPairs) },
      { pageIndex, pageSize },
    );
    const now = new Date();
    return { status: 200, body: { ...page, items: page.items.map((item) => summaryOf(item, now)) } };
  }),
});

const deleteSession = defineRoute({
  name: 'public-session-delete',
  method: 'DELETE',
  route: 'public/sessions/{id}',
  auth: 'apiKey',
  summary: 'Delete a closed session and its transcript (400 SessionNotClosed while it is open)',
  tags,
  params: sessionPathParams,
  responses: { 204: { description: 'Deleted (or already gone)' } },
});

app.http(deleteSession.name, {
  route: deleteSession.route,
  methods: [deleteSession.method],
  authLevel: 'anonymous',
  handler: httpHandler(deleteSession, async ({ principal, params, services }) => {
    await services.sessionLifecycle.delete(principal, params.id);
    return { status: 204 };
  }),
});

const postActivity = defineRoute({
  name: 'public-session-activity',
  method: 'POST',
  route: 'public/sessions/{id}/activity',
  auth: 'session',
  summary: 'The user is still there: resets the idle clock (and starts a pending session), through the session-events queue',
  tags,
  params: sessionPathParams,
  responses: { 202: { description: 'Queued' } },
});

app.http(postActivity.name, {
  route: postActivity.route,
  methods: [postActivity.method],
  authLevel: 'anonymous',
  handler: httpHandler(postActivity, async ({ principal, params, services }) => {
    await services.sessionLifecycle.reportActivity(principal, params.id);
    return { status: 202 };
  }),
});

const renewToken = defineRoute({
  name: 'public-session-token-renew',
  method: 'POST',
  route: 'public/sessions/{id}/token',
  auth: 'session',
  summary: 'A new session token for an open session (with its current, still valid token), for sessions longer than a token',
  tags,
  params: sessionPathParams,
  responses: { 200: { description: 'The new token', schema: renewedTokenResponse } },
});

app.http(renewToken.name, {
  route: renewToken.route,
  methods: [renewToken.method],
  authLevel: 'anonymous',
  handler: httpHandler(renewToken, async ({ principal, params, services }) => {
    const { token, expiresAt } = await services.sessionLifecycle.renewToken(principal, params.id);
    return { status: 200, body: { token, expiresAt: expiresAt.toISOString() } };
  }),
});

const streamEvents = defineRoute({
  name: 'public-session-events',
  method: 'GET',
  route: 'public/sessions/{id}/events',
  auth: 'session',
  summary:
    'Server-sent events of the session (message_received, function_implicitly_called, function_call_timeout, ' +
    'content_filtered, avatar_connection_warning, session_closed); resume with Last-Event-ID. The stream ends after ' +
    'session_closed, or after about 200 s (reconnect with Last-Event-ID)',
  tags,
  params: sessionPathParams,
  responses: { 200: { description: 'An event stream', binary: ['text/event-stream'] } },
});

const encoder = new TextEncoder();

app.http(streamEvents.name, {
  route: streamEvents.route,
  methods: [streamEvents.method],
  authLevel: 'anonymous',
  handler: httpHandler(streamEvents, async ({ principal, params, services, request }) => {
    const lastEventIdHeader = request.headers.get('last-event-id') ?? undefined;
    const lastEventId = lastEventIdHeader !== undefined && /^\d{1,12}$/.test(lastEventIdHeader) ? Number(lastEventIdHeader) : undefined;
    const events = services.sessionLifecycle.stream(principal, params.id, { lastEventId });
    // The first step (the access check) runs now, so a wrong session answers with its problem, not an empty stream.
    await events.next();
    async function* body(): AsyncGenerator<Uint8Array> {
      yield encoder.encode('retry: 2000\n\n');
      let step = await events.next();
      while (step.done !== true) {
        if (step.value !== 'open') yield encoder.encode(step.value === 'heartbeat' ? ': keep-alive\n\n' : formatServerSentEvent(step.value));
        step = await events.next();
      }
    }
    return {
      status: 200,
      binary: { contentType: 'text/event-stream', data: body() },
      headers: { 'X-Accel-Buffering': 'no' },
    };
  }),
});

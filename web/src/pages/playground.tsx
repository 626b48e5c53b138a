/**
 * The Playground: a text session with an agent, as an application would hold it. Opens a connection (project auth),
 * keeps the session token in memory only, sends messages, shows tool calls and knowledge passages, answers implicit
 * function calls, follows the event stream (fetch + ReadableStream, since EventSource cannot send the token), shows
 * the idle countdown, renews the token, and shows the close reason and cost when the session ends. In voice mode the
 * browser holds the call with the realtime model itself (playground-voice.ts): transcripts and tool calls come over
 * its data channel, explicit tools run through the backend's function-calls, implicit ones are answered by hand.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { inlineConnectionBody, SessionSettingsFields, settingsOf, type SessionSettings } from './playground-settings';
import { VoiceCall, type RealtimeFunctionCall } from './playground-voice';
import { api, ApiError, describeError, query, type Json, type Page } from '../api';
import type { PageProps } from '../app';
import { link } from '../router';
import { ActionButton, ErrorNote, Loading, Notice, PageHeader, Section, SelectField, StatusBadge, TextField, formatMoney, useLoad } from '../ui';
import { useProjectId } from '../workspace';
import './playground.css';

interface ToolCall {
  readonly callId: string;
  readonly name: string;
  readonly arguments: string;
  readonly output?: string;
  readonly outcome?: string;
  readonly durationMs?: number;
}

type Entry =
  | { readonly kind: 'user'; readonly key: number; readonly text: string }
  | { readonly kind: 'agent'; readonly key: number; readonly text: string; readonly source?: string | undefined }
  | { readonly kind: 'event'; readonly key: number; readonly text: string }
  | { readonly kind: 'tool'; readonly key: number; readonly call: ToolCall };

type NewEntry = Entry extends unknown ? (Entry extends infer E ? (E extends Entry ? Omit<E, 'key'> : never) : never) : never;

interface PendingCall {
  readonly callId: string;
  readonly name: string;
  readonly arguments: string;
  readonly deadline?: string | undefined;
}

interface LiveSession {
  readonly id: string;
  readonly expiresAt: string;
  readonly idleTimeoutSeconds: number | null;
}

interface Closed {
  readonly reason: string;
  readonly summary?: Json;
  readonly error?: unknown;
}

interface StreamEvent {
  readonly id?: string | undefined;
  readonly type: string;
  readonly data: Json;
}

const ACTIVITY_EVERY_MS = 10_000;

/** Splits a server-sent event stream into events (`id`, `event`, `data` lines; comments and `retry` skipped). */
export function parseServerSentEvents(buffer: string): { events: StreamEvent[]; rest: string; retryMs?: number } {
  const normalized = buffer.replace(/\r\n?/g, '\n');
  const blocks = normalized.split('\n\n');
  const rest = blocks.pop() ?? '';
  const events: StreamEvent[] = [];
  let retryMs: number | undefined;
  for (const block of blocks) {
    let id: string | undefined;
    let type = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
      else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
    }
    if (data.length === 0) continue;
    let parsed: Json;
    try {
      parsed = JSON.parse(data.join('\n'));
    } catch {
      parsed = data.join('\n');
    }
    events.push({ id, type, data: parsed });
  }
  return retryMs === undefined ? { events, rest } : { events, rest, retryMs };
}

function prettyJson(text: string | undefined): string {
  if (text === undefined || text === '') return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The passages of a search_knowledge result, if that is what the output is. */
function passagesOf(call: ToolCall): Json[] | undefined {
  if (call.name !== 'search_knowledge' || call.output === undefined) return undefined;
  try {
    const parsed = JSON.parse(call.output) as Json;
    return Array.isArray(parsed?.results) ? (parsed.results as Json[]) : undefined;
  } catch {
    return undefined;
  }
}

export function PlaygroundPage(props: PageProps) {
  const projectId = useProjectId();
  const agents = useLoad(() => api<Page<Json>>('GET', `/public/agents${query({ pageSize: 100 })}`, { project: projectId }), [projectId]);
  const [agentId, setAgentId] = useState<string>(props.route.params.get('agent') ?? '');
  const [externalClientId, setExternalClientId] = useState('');
  const [session, setSession] = useState<LiveSession>();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [pending, setPending] = useState<PendingCall[]>([]);
  const [outputs, setOutputs] = useState<Record<string, string>>({});
  const [message, setMessage] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<unknown>();
  const [started, setStarted] = useState(false);
  const [closesAt, setClosesAt] = useState<number>();
  const [now, setNow] = useState(Date.now());
  const [closed, setClosed] = useState<Closed>();
  const [streamState, setStreamState] = useState<'connecting' | 'open' | 'reconnecting' | 'ended'>('connecting');
  const [renewNote, setRenewNote] = useState<string>();
  const [mode, setMode] = useState<'text' | 'voice'>('text');
  const [voiceState, setVoiceState] = useState<'connecting' | 'connected' | 'ended'>();
  const voiceRef = useRef<VoiceCall>();

  const tokenRef = useRef<string>();
  const sessionRef = useRef<LiveSession>();
  const closedRef = useRef(false);
  const keyRef = useRef(0);
  const lastActivitySentRef = useRef(0);
  const generationRef = useRef(0);
  /** Implicit calls answered or timed out (and `timeout:<callId>` once its timeout is shown). */
  const settledRef = useRef(new Set<string>());
  const closeShownRef = useRef(false);
  const logRef = useRef<HTMLDivElement>(null);
  const messageRef = useRef<HTMLTextAreaElement>(null);

  const agentList = agents.data?.items ?? [];
  const agent: Json | undefined = agentList.find((a) => a.id === agentId);

  // The first agent is preselected once the list is there (unless ?agent= named one).
  useEffect(() => {
    if (agentList.length > 0 && !agentList.some((a) => a.id === agentId)) setAgentId(agentList[0].id as string);
  }, [agents.data]);

  // A session's own settings start from the chosen agent's.
  const [settings, setSettings] = useState<SessionSettings>(settingsOf(undefined));
  useEffect(() => setSettings(settingsOf(agent)), [agent?.id, agents.data]);

  const add = (...added: NewEntry[]) => {
    setEntries((list) => [...list, ...added.map((entry) => ({ ...entry, key: ++keyRef.current }) as Entry)]);
  };

  /**
   * An agent's message comes twice, by the reply and by the stream, in either order (and only by the stream when a
   * turn resumes on its own): each source's texts are matched against the other's, so each is shown once.
   */
  const unmatchedRef = useRef<{ reply: { text: string; at: number }[]; stream: { text: string; at: number }[] }>({ reply: [], stream: [] });
  const addAgentText = (text: string, from: 'reply' | 'stream', source?: string) => {
    if (text.trim() === '') return;
    if (matchedElsewhere(`agent:${text}`, from)) return;
    add({ kind: 'agent', text, source });
  };
  /** True when the other source already brought this; else it is noted as brought by this one. */
  const matchedElsewhere = (text: string, from: 'reply' | 'stream'): boolean => {
    const now = Date.now();
    const unmatched = unmatchedRef.current;
    unmatched.reply = unmatched.reply.filter((u) => now - u.at < 60_000);
    unmatched.stream = unmatched.stream.filter((u) => now - u.at < 60_000);
    const other = from === 'reply' ? unmatched.stream : unmatched.reply;
    const index = other.findIndex((u) => u.text === text);
    if (index >= 0) {
      other.splice(index, 1);
      return true;
    }
    (from === 'reply' ? unmatched.reply : unmatched.stream).push({ text, at: now });
    return false;
  };

  /** An implicit call that timed out, once (the reply and the stream both say it). */
  const callTimedOut = (callId: string, name: string) => {
    if (settledRef.current.has(`timeout:${callId}`)) return;
    settledRef.current.add(callId);
    settledRef.current.add(`timeout:${callId}`);
    setPending((list) => list.filter((c) => c.callId !== callId));
    add({ kind: 'event', text: `Function ${name} timed out (call ${callId}); the model was told.` });
  };

  const contentFiltered = (categories: readonly string[] | undefined, from: 'reply' | 'stream') => {
    const text = `The reply was withheld by the content filter (${(categories ?? []).join(', ')}).`;
    if (!matchedElsewhere(`filtered:${text}`, from)) add({ kind: 'event', text });
  };

  const addPending = (call: PendingCall) => {
    setPending((list) => (list.some((c) => c.callId === call.callId) ? list : [...list, call]));
  };

  const markActivity = () => {
    setStarted(true);
    setNow(Date.now());
    const idle = sessionRef.current?.idleTimeoutSeconds;
    setClosesAt(idle === null || idle === undefined ? undefined : Date.now() + idle * 1000);
  };

  const showSummary = async (sessionId: string, reason: string | undefined, fromClose?: Json) => {
    closedRef.current = true;
    voiceRef.current?.close();
    voiceRef.current = undefined;
    setVoiceState((state) => (state === undefined ? undefined : 'ended'));
    setPending([]);
    setClosesAt(undefined);
    setClosed({ reason: reason ?? fromClose?.closeReason ?? 'closed', summary: fromClose });
    try {
      const summary = await api('GET', `/public/sessions/${sessionId}`, { project: projectId });
      setClosed({ reason: reason ?? summary.closeReason ?? 'closed', summary });
    } catch (err) {
      setClosed((current) => ({ reason: current?.reason ?? reason ?? 'closed', summary: current?.summary, error: err }));
    }
  };

  /** The close, once, whether the stream or the End session answer says it first. */
  const announceClose = (sessionId: string, reason: string, data: Json) => {
    if (closeShownRef.current) return;
    closeShownRef.current = true;
    add({ kind: 'event', text: `Session closed: ${reason}` });
    void showSummary(sessionId, reason, data);
  };

  /** What a message or function-output answer brings: tool calls, events, the reply, the calls still awaited. */
  const applyTurn = (turn: Json) => {
    for (const call of (turn.toolCalls ?? []) as ToolCall[]) add({ kind: 'tool', call });
    for (const event of (turn.events ?? []) as Json[]) {
      if (event.type === 'function_implicitly_called') addPending({ callId: event.callId, name: event.name, arguments: event.arguments, deadline: event.deadline });
      else if (event.type === 'no_language_model') add({ kind: 'event', text: event.detail ?? 'No language model is configured.' });
      else if (event.type === 'function_call_timeout') callTimedOut(event.callId as string, event.name as string);
      else if (event.type === 'content_filtered') contentFiltered(event.categories, 'reply');
    }
    if (turn.reply !== null && turn.reply !== undefined) addAgentText(turn.reply.text as string, 'reply');
    const awaited = (turn.pendingCallIds ?? []) as string[];
    setPending((list) => list.filter((c) => awaited.includes(c.callId)));
  };

  const onStreamEvent = (event: StreamEvent) => {
    const data = event.data ?? {};
    switch (event.type) {
      case 'message_received':
        if (data.role === 'assistant' && typeof data.text === 'string' && data.text !== '') addAgentText(data.text, 'stream', data.source);
        break;
      case 'function_implicitly_called':
        if (!settledRef.current.has(data.callId)) addPending({ callId: data.callId, name: data.name, arguments: data.arguments, deadline: data.deadline });
        break;
      case 'function_call_timeout':
        callTimedOut(data.callId as string, data.name as string);
        break;
      case 'content_filtered':
        contentFiltered(data.categories, 'stream');
        break;
      case 'avatar_connection_warning':
        if (typeof data.closesAt === 'string') setClosesAt(Date.parse(data.closesAt));
        else if (typeof data.disconnect_after === 'number') setClosesAt(Date.now() + data.disconnect_after * 1000);
        add({ kind: 'event', text: `Inactivity warning: the session closes in ${data.disconnect_after} s unless you write.` });
        break;
      case 'session_closed': {
        const current = sessionRef.current;
        if (current !== undefined) announceClose(current.id, data.closeReason as string, data);
        break;
      }
      default:
        break;
    }
  };
  const onStreamEventRef = useRef(onStreamEvent);
  onStreamEventRef.current = onStreamEvent;

  /**
   * Reads the event stream until the session closes, reconnecting with Last-Event-ID. The stream is never cut from
   * this side (a session is ended instead, and the server then ends its stream); a stream of an earlier session or of
   * a page that has gone is read to its end and ignored.
   */
  const follow = async (sessionId: string, generation: number) => {
    const current = () => generationRef.current === generation;
    let lastEventId: string | undefined;
    let retryMs = 2000;
    while (current() && !closedRef.current) {
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream', authorization: `Bearer ${tokenRef.current ?? ''}` };
        if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
        const response = await fetch(`/public/sessions/${sessionId}/events`, { headers, cache: 'no-store' });
        if (!response.ok || response.body === null) {
          if (response.status === 400 || response.status === 404) break;
          throw new Error(`HTTP ${response.status}`);
        }
        if (current()) setStreamState('open');
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          const parsed = parseServerSentEvents(buffer);
          buffer = parsed.rest;
          if (parsed.retryMs !== undefined) retryMs = parsed.retryMs;
          for (const event of parsed.events) {
            if (event.id !== undefined) lastEventId = event.id;
            if (current()) onStreamEventRef.current(event);
          }
        }
      } catch {
        // A lost connection: reconnect below.
      }
      if (!current() || closedRef.current) break;
      setStreamState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
    if (current()) setStreamState('ended');
  };

  // Everything live stops when the page goes: the stream, the timers; an open session is ended.
  useEffect(
    () => () => {
      generationRef.current += 1;
      voiceRef.current?.close();
      const current = sessionRef.current;
      if (current !== undefined && !closedRef.current) void api('DELETE', `/public/connections/${current.id}`, { project: projectId }).catch(() => undefined);
    },
    [],
  );

  // The countdown ticks while the session is open.
  useEffect(() => {
    if (session === undefined || closed !== undefined) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [session, closed]);

  // The session token is renewed a minute before it expires (or halfway for a short one).
  useEffect(() => {
    if (session === undefined || closed !== undefined) return;
    let expiresAt = Date.parse(session.expiresAt);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      const left = expiresAt - Date.now();
      const wait = Math.max(5_000, Math.min(left - 60_000, left / 2));
      timer = setTimeout(() => void renew(), wait);
    };
    const renew = async () => {
      if (closedRef.current) return;
      try {
        const renewed = await api('POST', `/public/sessions/${session.id}/token`, { sessionToken: tokenRef.current });
        tokenRef.current = renewed.token as string;
        expiresAt = Date.parse(renewed.expiresAt as string);
        setRenewNote(`Session token renewed; it is valid until ${new Date(expiresAt).toLocaleTimeString()}.`);
        schedule();
      } catch (err) {
        if (!closedRef.current) setRenewNote(`The session token could not be renewed: ${describeError(err)}`);
      }
    };
    schedule();
    return () => clearTimeout(timer);
  }, [session, closed === undefined]);

  // New messages scroll into view.
  useEffect(() => {
    const log = logRef.current;
    if (log !== null) log.scrollTop = log.scrollHeight;
  }, [entries, pending]);

  /** The voice call's events, for the session just opened (its id and token, before the state has them). */
  const voiceHandlers = (sessionId: string, token: string) => {
    const reportActivity = () => {
      markActivity();
      if (Date.now() - lastActivitySentRef.current < ACTIVITY_EVERY_MS) return;
      lastActivitySentRef.current = Date.now();
      void api('POST', `/public/sessions/${sessionId}/activity`, { sessionToken: tokenRef.current ?? token }).catch(() => undefined);
    };
    return {
      onConnected: () => {
        setVoiceState('connected');
        add({ kind: 'event', text: 'Connected: speak to the agent.' });
        // The call is the session's first use.
        lastActivitySentRef.current = 0;
        reportActivity();
      },
      onUserTranscript: (text: string) => {
        add({ kind: 'user', text });
        reportActivity();
      },
      onAgentTranscript: (text: string) => add({ kind: 'agent', text, source: 'realtime' }),
      onSpeech: reportActivity,
      onFunctionCall: (call: RealtimeFunctionCall) => void runVoiceFunction(sessionId, token, call),
      onError: (message: string) => setError(new Error(message)),
      onDisconnected: () => {
        setVoiceState('ended');
        add({ kind: 'event', text: 'The voice connection was lost.' });
      },
    };
  };

  /**
   * A tool the realtime model called: explicit functions and the knowledge search run through the backend, and their
   * result goes back on the call; an implicit one (the backend answers FunctionNotExplicit) waits for a hand-written
   * output.
   */
  const runVoiceFunction = async (sessionId: string, token: string, call: RealtimeFunctionCall) => {
    try {
      const result = await api<ToolCall>('POST', `/public/sessions/${sessionId}/function-calls`, {
        sessionToken: tokenRef.current ?? token,
        body: { callId: call.callId, name: call.name, arguments: call.arguments },
      });
      add({ kind: 'tool', call: { ...result, arguments: call.arguments } });
      voiceRef.current?.sendFunctionOutput(call.callId, result.output ?? '');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'FunctionNotExplicit') {
        addPending({ callId: call.callId, name: call.name, arguments: call.arguments });
        return;
      }
      setError(err);
      voiceRef.current?.sendFunctionOutput(call.callId, JSON.stringify({ error: describeError(err) }));
    }
  };

  const start = async () => {
    if (agent === undefined) throw new Error('Choose an agent first.');
    const body: Record<string, unknown> = mode === 'voice' ? { channelType: 'webrtc', modality: 'audio' } : { channelType: 'text', modality: 'text' };
    if (externalClientId.trim() !== '') body.externalClientId = externalClientId.trim();
    const inline = inlineConnectionBody(agent, settings);
    const opened =
      inline === undefined
        ? await api('POST', `/public/agents/${agent.id}/connections`, { project: projectId, body })
        : await api('POST', '/public/connections', { project: projectId, body: { ...body, ...inline } });
    let call: VoiceCall | undefined;
    if (mode === 'voice') {
      // Without a realtime model the session would only wait for a media tier: it is ended again at once.
      const realtime = opened.realtime as { webrtcUrl: string; clientSecret: string } | undefined;
      try {
        if (realtime === undefined) {
          throw new Error('Voice needs the platform’s realtime model (AZURE_OPENAI_REALTIME_DEPLOYMENT), which this service does not have.');
        }
        setVoiceState('connecting');
        call = await VoiceCall.start(realtime, voiceHandlers(opened.connection.id as string, opened.token as string));
      } catch (err) {
        setVoiceState(undefined);
        await api('DELETE', `/public/connections/${opened.connection.id as string}`, { project: projectId });
        throw err;
      }
    }
    const live: LiveSession = {
      id: opened.connection.id as string,
      expiresAt: opened.connection.expiresAt as string,
      idleTimeoutSeconds: settings.disableIdleTimeout ? null : Number(settings.idleTimeoutSeconds),
    };
    tokenRef.current = opened.token as string;
    sessionRef.current = live;
    closedRef.current = false;
    closeShownRef.current = false;
    unmatchedRef.current = { reply: [], stream: [] };
    settledRef.current = new Set();
    lastActivitySentRef.current = 0;
    setEntries([]);
    setPending([]);
    setOutputs({});
    setClosed(undefined);
    setStarted(false);
    setClosesAt(undefined);
    setError(undefined);
    setRenewNote(undefined);
    setStreamState('connecting');
    setSession(live);
    voiceRef.current = call;
    add({
      kind: 'event',
      text: call === undefined ? `Session ${live.id} opened with ${agent.name as string}. Say something to start it.` : `Voice session ${live.id} with ${agent.name as string}: connecting the microphone.`,
    });
    generationRef.current += 1;
    void follow(live.id, generationRef.current);
    requestAnimationFrame(() => messageRef.current?.focus());
  };

  const send = async () => {
    const text = message.trim();
    if (text === '' || session === undefined || sending) return;
    setSending(true);
    setError(undefined);
    add({ kind: 'user', text });
    setMessage('');
    markActivity();
    lastActivitySentRef.current = Date.now();
    try {
      const turn = await api('POST', `/public/sessions/${session.id}/messages`, { sessionToken: tokenRef.current, body: { text } });
      applyTurn(turn);
    } catch (err) {
      setError(err);
      // The stream says so too (and announces it); the summary is shown now in case the stream is gone.
      if (err instanceof ApiError && err.code === 'SessionClosed' && !closeShownRef.current) void showSummary(session.id, undefined);
    } finally {
      setSending(false);
      requestAnimationFrame(() => messageRef.current?.focus());
    }
  };

  const onType = (value: string) => {
    setMessage(value);
    if (session === undefined || closedRef.current) return;
    if (Date.now() - lastActivitySentRef.current < ACTIVITY_EVERY_MS) return;
    lastActivitySentRef.current = Date.now();
    markActivity();
    void api('POST', `/public/sessions/${session.id}/activity`, { sessionToken: tokenRef.current }).catch(() => undefined);
  };

  const sendOutput = async (call: PendingCall) => {
    if (session === undefined) return;
    const output = outputs[call.callId] ?? '';
    if (voiceRef.current !== undefined) {
      voiceRef.current.sendFunctionOutput(call.callId, output);
      settledRef.current.add(call.callId);
      setPending((list) => list.filter((c) => c.callId !== call.callId));
      add({ kind: 'tool', call: { callId: call.callId, name: call.name, arguments: call.arguments, output, outcome: 'ok' } });
      markActivity();
      return;
    }
    const turn = await api('POST', `/public/sessions/${session.id}/function-outputs`, { sessionToken: tokenRef.current, body: { callId: call.callId, output } });
    settledRef.current.add(call.callId);
    setPending((list) => list.filter((c) => c.callId !== call.callId));
    markActivity();
    applyTurn(turn);
  };

  const end = async () => {
    if (session === undefined) return;
    closedRef.current = true;
    let summary: Json;
    try {
      summary = await api('DELETE', `/public/connections/${session.id}`, { project: projectId });
    } catch (err) {
      closedRef.current = false;
      throw err;
    }
    announceClose(session.id, summary.closeReason as string, summary);
  };

  const reset = () => {
    generationRef.current += 1;
    voiceRef.current?.close();
    voiceRef.current = undefined;
    setVoiceState(undefined);
    tokenRef.current = undefined;
    sessionRef.current = undefined;
    closedRef.current = false;
    setSession(undefined);
    setClosed(undefined);
    setEntries([]);
    setPending([]);
    setMessage('');
    setError(undefined);
  };

  const secondsLeft = closesAt === undefined ? undefined : Math.max(0, Math.ceil((closesAt - now) / 1000));
  const open = session !== undefined && closed === undefined;

  return (
    <>
      <PageHeader title="Playground" description="Talk to an agent by text or voice, as your application would." />
      {session === undefined ? (
        <Section title="Start a session">
          {agents.error !== undefined ? <ErrorNote error={agents.error} /> : null}
          {agents.data === undefined && agents.error === undefined ? <Loading what="agents" /> : null}
          {agents.data !== undefined && agentList.length === 0 ? (
            <p>
              This project has no agent yet. <a href={link('agents')}>Create an agent</a> first.
            </p>
          ) : null}
          {agentList.length > 0 ? (
            <form
              class="form"
              aria-label="Start a session"
              onSubmit={(event) => {
                event.preventDefault();
              }}
            >
              <SelectField label="Agent" value={agentId} onChange={setAgentId} options={agentList.map((a) => ({ value: a.id as string, label: a.name as string }))} />
              <SelectField<'text' | 'voice'>
                label="Conversation"
                value={mode}
                onChange={setMode}
                options={[
                  { value: 'text', label: 'Text chat' },
                  { value: 'voice', label: 'Voice, with the microphone (the realtime model)' },
                ]}
              />
              <TextField
                label="External client id"
                value={externalClientId}
                onInput={setExternalClientId}
                hint="Optional: your application's id of the person (1-32 of A-Z a-z 0-9 _ -). Turns on memory across sessions."
              />
              <details class="advanced">
                <summary>Advanced settings</summary>
                {agent === undefined ? null : <SessionSettingsFields key={agent.id} projectId={projectId} agent={agent} value={settings} onChange={setSettings} />}
              </details>
              <div class="form-actions">
                <ActionButton tone="primary" onClick={start} disabled={agent === undefined}>
                  Start session
                </ActionButton>
              </div>
            </form>
          ) : null}
        </Section>
      ) : (
        <Section
          title={`Session with ${(agent?.name as string | undefined) ?? 'the agent'}`}
          actions={
            open ? (
              <ActionButton tone="danger" onClick={end}>
                End session
              </ActionButton>
            ) : (
              <button type="button" class="primary" onClick={reset}>
                New session
              </button>
            )
          }
        >
          <div class="playground-status row">
            <span>
              Session <code>{session.id}</code> <StatusBadge status={closed !== undefined ? 'closed' : started ? 'started' : 'pending'} />
            </span>
            <span class="muted">Events: {streamState}</span>
            {open ? (
              <span class={secondsLeft !== undefined && secondsLeft <= 60 ? 'countdown urgent' : 'countdown'} role="timer" aria-live="off" data-testid="countdown">
                {session.idleTimeoutSeconds === null
                  ? 'No idle timeout'
                  : secondsLeft === undefined
                    ? 'Not started yet: the idle clock starts with your first message'
                    : `Disconnecting in ${secondsLeft} s`}
              </span>
            ) : null}
          </div>
          {open && secondsLeft !== undefined && secondsLeft <= 30 ? <Notice tone="warning">The session closes soon for inactivity unless you write something.</Notice> : null}
          {renewNote !== undefined ? <p class="muted small">{renewNote}</p> : null}

          <div class="chat" role="log" aria-live="polite" aria-label="Conversation" ref={logRef} tabIndex={0}>
            {entries.map((entry) => (
              <ChatEntry key={entry.key} entry={entry} />
            ))}
            {sending ? (
              <div class="bubble event" role="status">
                The agent is answering…
              </div>
            ) : null}
          </div>

          {pending.length > 0 ? (
            <div class="pending-calls">
              <h3>Implicit function calls to answer</h3>
              {pending.map((call) => (
                <div class="pending-call card" key={call.callId}>
                  <h4>
                    <code>{call.name}</code> <span class="muted">(call {call.callId})</span>
                  </h4>
                  <p class="muted small">Arguments</p>
                  <pre class="tool-json">{prettyJson(call.arguments) || '{}'}</pre>
                  {call.deadline !== undefined ? <p class="muted small">Answer before {new Date(call.deadline).toLocaleTimeString()}, or the call times out.</p> : null}
                  <TextField
                    label="Output"
                    multiline
                    rows={3}
                    value={outputs[call.callId] ?? ''}
                    onInput={(value) => setOutputs((current) => ({ ...current, [call.callId]: value }))}
                    hint={`What ${call.name} returned, as text (JSON is usual).`}
                  />
                  <ActionButton tone="primary" onClick={() => sendOutput(call)}>
                    Send output
                  </ActionButton>
                </div>
              ))}
            </div>
          ) : null}

          {open && voiceState !== undefined ? (
            <p class="note info" role="status" data-testid="voice-state">
              {voiceState === 'connecting' ? 'Connecting the microphone…' : voiceState === 'connected' ? 'Microphone on: speak to the agent.' : 'The voice call has ended.'}
            </p>
          ) : null}
          {open && voiceState === undefined ? (
            <form
              class="composer"
              onSubmit={(event) => {
                event.preventDefault();
                void send();
              }}
            >
              <div class="field">
                <label for="playground-message">Message</label>
                <textarea
                  id="playground-message"
                  ref={messageRef}
                  rows={2}
                  value={message}
                  aria-describedby="playground-message-hint"
                  onInput={(event) => onType(event.currentTarget.value)}
                  onKeyDown={(event) => {
                    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
                      event.preventDefault();
                      void send();
                    }
                  }}
                />
                <small id="playground-message-hint" class="muted">
                  Enter sends, Shift+Enter starts a new line.
                </small>
              </div>
              <div class="form-actions">
                <button type="submit" class="primary" disabled={sending || message.trim() === ''} aria-busy={sending}>
                  Send
                </button>
              </div>
            </form>
          ) : null}
          <ErrorNote error={error} />

          {closed !== undefined ? <ClosedSummary closed={closed} sessionId={session.id} /> : null}
          <details class="advanced">
            <summary>Advanced settings</summary>
            <AgentLimits agent={agent} />
          </details>
        </Section>
      )}
    </>
  );
}

function AgentLimits(props: { agent: Json | undefined }) {
  const agent = props.agent;
  if (agent === undefined) return <p class="muted">Choose an agent to see its limits.</p>;
  return (
    <div>
      <dl class="facts">
        <dt>Idle timeout</dt>
        <dd data-testid="idle-timeout">{agent.disableIdleTimeout === true ? 'Off (no idle timeout)' : `${agent.idleTimeoutSeconds as number} s`}</dd>
        <dt>Longest session</dt>
        <dd>{agent.maxSessionSeconds as number} s</dd>
      </dl>
      <p class="muted small">
        A connection cannot override the idle timeout: it is the agent's setting. Change it on the <a href={link('agents', agent.id as string)}>agent</a>.
      </p>
    </div>
  );
}

function ChatEntry(props: { entry: Entry }) {
  const entry = props.entry;
  if (entry.kind === 'user')
    return (
      <div class="bubble user">
        <span class="visually-hidden">You: </span>
        {entry.text}
      </div>
    );
  if (entry.kind === 'agent')
    return (
      <div class="bubble agent">
        <span class="visually-hidden">Agent: </span>
        {entry.text}
        {entry.source !== undefined && entry.source !== 'llm' ? <small class="muted source"> (from {entry.source})</small> : null}
      </div>
    );
  if (entry.kind === 'event') return <div class="bubble event">{entry.text}</div>;
  const call = entry.call;
  const passages = passagesOf(call);
  return (
    <div class="bubble tool">
      <div class="tool-head">
        {passages !== undefined ? 'Knowledge search' : 'Tool call'} <code>{call.name}</code> {call.outcome !== undefined ? <StatusBadge status={call.outcome} /> : null}
        {call.durationMs !== undefined ? <span class="muted"> {Math.round(call.durationMs)} ms</span> : null}
      </div>
      <details open>
        <summary>Arguments</summary>
        <pre class="tool-json">{prettyJson(call.arguments) || '{}'}</pre>
      </details>
      {passages !== undefined ? (
        <div class="passages">
          <p class="small">
            {passages.length} passage{passages.length === 1 ? '' : 's'} found
          </p>
          <ol>
            {passages.map((passage, i) => (
              <li key={i}>
                <blockquote>{String(passage.text ?? '')}</blockquote>
                <small class="muted">
                  {passage.fileName !== undefined ? String(passage.fileName) : 'Unknown file'}
                  {typeof passage.score === 'number' ? ` · score ${passage.score.toFixed(2)}` : ''}
                </small>
              </li>
            ))}
          </ol>
        </div>
      ) : call.output !== undefined ? (
        <details open>
          <summary>Result</summary>
          <pre class="tool-json">{prettyJson(call.output)}</pre>
        </details>
      ) : null}
    </div>
  );
}

function ClosedSummary(props: { closed: Closed; sessionId: string }) {
  const summary = props.closed.summary;
  const cost = summary?.cost;
  return (
    <div class="closed-summary" role="status">
      <h3>Session ended</h3>
      <dl class="facts">
        <dt>Close reason</dt>
        <dd data-testid="close-reason">{props.closed.reason}</dd>
        <dt>Active seconds</dt>
        <dd data-testid="active-seconds">{summary?.activeSeconds ?? '—'}</dd>
        <dt>Cost</dt>
        <dd data-testid="cost">
          {cost === undefined
            ? summary === undefined
              ? '…'
              : formatMoney(0)
            : `${formatMoney(typeof cost.amount === 'number' ? cost.amount : (cost.amountMicros as number) / 1_000_000, cost.currency)} (${cost.billedMinutes as number} billed minute${cost.billedMinutes === 1 ? '' : 's'})`}
        </dd>
      </dl>
      {props.closed.error !== undefined ? <ErrorNote error={props.closed.error} /> : null}
      <div class="form-actions">
        <a href={link('sessions', props.sessionId)}>View the transcript</a>
      </div>
    </div>
  );
}

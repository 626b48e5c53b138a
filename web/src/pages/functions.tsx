/**
 * Functions (tools) an agent may call: implicit ones run in the calling application, explicit ones at an https:// or
 * wss:// endpoint the backend calls with write-only headers and a signature made with the function's signing secret.
 * Admins create, replace (PUT with If-Match), rotate the secret and delete; members read.
 */
import { useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, query, type FieldProblem, type Json, type Page } from '../api';
import type { PageProps } from '../app';
import { JsonSchemaEditor, checkParametersText } from '../json-schema-editor';
import { link, navigate } from '../router';
import { ActionButton, ErrorNote, Loading, Notice, PageHeader, Pager, SecretOnce, Section, SelectField, Table, TextField, formatDate, useLoad } from '../ui';
import { useProjectId, useWorkspace } from '../workspace';
import { NumberField, bareEtag } from './agents';
import './functions.css';

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const DEFAULT_TIMEOUT_MS = 10000;
const MAX_TIMEOUT_MS = 60000;
const MIN_TIMEOUT_MS = 100;

export function FunctionsPage(props: PageProps) {
  const id = props.path[0];
  return id === undefined ? <FunctionList /> : <FunctionDetail id={id} />;
}

function FunctionList() {
  const project = useProjectId();
  const { isAdmin } = useWorkspace();
  const [pageIndex, setPageIndex] = useState(0);
  const functions = useLoad(() => api<Page<Json>>('GET', `/public/functions${query({ pageIndex, pageSize: 20 })}`, { project }), [project, pageIndex]);
  const [created, setCreated] = useState<Json>();
  const [formKey, setFormKey] = useState(0);

  return (
    <>
      <PageHeader title="Functions" description="Tools an agent may call: implicit ones run in your application, explicit ones at an endpoint the backend calls." />
      {created === undefined ? null : (
        <Section title="Function created">
          <Notice tone="success">
            The function <a href={link('functions', created.id)}>{created.data?.name}</a> was created.
          </Notice>
          <SecretOnce label="Signing secret" value={created.signingSecret} />
          <p class="muted">Explicit endpoints verify the X-Webhook-Signature header of every call with it.</p>
        </Section>
      )}
      <Section title="Functions of this project">
        <ErrorNote error={functions.error} />
        {functions.data === undefined ? (
          functions.error === undefined ? <Loading what="functions" /> : null
        ) : (
          <>
            <Table caption="Functions" headers={['Name', 'Flow', 'Endpoint', 'Timeout', 'Updated']} rows={functions.data.items.length} empty="No functions yet.">
              {functions.data.items.map((fn) => (
                <tr key={fn.id}>
                  <td>
                    <a href={link('functions', fn.id)}>{fn.data?.name}</a>
                  </td>
                  <td>{fn.flow}</td>
                  <td class="function-url">{fn.url ?? '—'}</td>
                  <td>{fn.timeoutMs} ms</td>
                  <td>{formatDate(fn.updated)}</td>
                </tr>
              ))}
            </Table>
            <Pager pageIndex={functions.data.pageIndex} pageSize={functions.data.pageSize} filteredCount={functions.data.filteredCount} onPage={setPageIndex} />
          </>
        )}
      </Section>
      {isAdmin ? (
        <Section title="New function">
          <FunctionForm
            key={formKey}
            submitLabel="Create function"
            onSubmit={async (body) => {
              const fn = await api('POST', '/public/functions', { project, body });
              setCreated(fn);
              setFormKey((k) => k + 1);
              await functions.reload();
            }}
          />
        </Section>
      ) : (
        <Notice>You are a member of this organization: functions are read-only for you.</Notice>
      )}
    </>
  );
}

interface HeaderRow {
  readonly key: number;
  name: string;
  value: string;
}

interface FunctionDraft {
  name: string;
  description: string;
  flow: 'implicit' | 'explicit';
  url: string;
  headers: HeaderRow[];
  prompt: string;
  timeoutMs: string;
  parameters: string;
}

let headerKeys = 0;

function draftOf(fn: Json | undefined): FunctionDraft {
  return {
    name: fn?.data?.name ?? '',
    description: fn?.data?.description ?? '',
    flow: fn?.flow === 'explicit' ? 'explicit' : 'implicit',
    url: fn?.url ?? '',
    headers: [],
    prompt: fn?.prompt ?? '',
    timeoutMs: String(fn?.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    parameters: fn?.data?.parameters === undefined ? '' : JSON.stringify(fn.data.parameters, null, 2),
  };
}

function nameProblem(name: string): string | undefined {
  if (name === '') return undefined;
  if (name.length > 64) return 'Name must be at most 64 characters.';
  return NAME_PATTERN.test(name) ? undefined : 'Name may use only letters, digits, "_" and "-" (no spaces).';
}

/** Blocking problems of the URL; `warning` is for plain http:// or ws://, which only a local test setup accepts. */
function urlCheck(url: string): { problem?: string; warning?: string } {
  if (url.trim() === '') return { problem: 'An explicit function needs the URL of its endpoint.' };
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return { problem: 'URL must be an absolute https:// or wss:// address.' };
  }
  if (parsed.protocol === 'https:' || parsed.protocol === 'wss:') return {};
  if (parsed.protocol === 'http:' || parsed.protocol === 'ws:') return { warning: 'Use https:// or wss://: plain http:// and ws:// are accepted only by a local test server.' };
  return { problem: 'URL must start with https:// or wss://.' };
}

function headerProblems(rows: readonly HeaderRow[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  rows.forEach((row, index) => {
    const name = row.name.trim();
    if (name === '' && row.value === '') return;
    if (!HEADER_NAME_PATTERN.test(name)) problems.push(`Header ${index + 1}: the name must be a valid HTTP header name (letters, digits and - without spaces).`);
    else if (seen.has(name.toLowerCase())) problems.push(`Header ${index + 1}: "${name}" is given twice.`);
    if (/[\r\n\0]/.test(row.value)) problems.push(`Header ${index + 1}: the value must be a single line.`);
    seen.add(name.toLowerCase());
  });
  return problems;
}

function FunctionForm(props: { fn?: Json; submitLabel: string; onSubmit: (body: Record<string, unknown>) => Promise<void> }) {
  const [draft, setDraft] = useState<FunctionDraft>(() => draftOf(props.fn));
  const set = <K extends keyof FunctionDraft>(key: K, value: FunctionDraft[K]): void => setDraft((d) => ({ ...d, [key]: value }));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [schemaErrors, setSchemaErrors] = useState<readonly FieldProblem[]>([]);
  const urlId = useRef(`function-url-${++headerKeys}`).current;

  const parameters = useMemo(() => checkParametersText(draft.parameters), [draft.parameters]);
  const parametersOk = parameters.syntax === undefined && parameters.problems.length === 0;
  const nameIssue = nameProblem(draft.name);
  const url = draft.flow === 'explicit' ? urlCheck(draft.url) : {};
  const headerIssues = draft.flow === 'explicit' ? headerProblems(draft.headers) : [];
  const timeout = Number(draft.timeoutMs);
  const timeoutIssue =
    draft.timeoutMs.trim() !== '' && (!Number.isInteger(timeout) || timeout < MIN_TIMEOUT_MS || timeout > MAX_TIMEOUT_MS)
      ? `Timeout must be a whole number of milliseconds from ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS}.`
      : undefined;
  const canSave = nameIssue === undefined && url.problem === undefined && headerIssues.length === 0 && timeoutIssue === undefined && parametersOk;
  const existingHeaders: readonly string[] = props.fn?.headerNames ?? [];
  const enteredHeaders = draft.headers.filter((h) => h.name.trim() !== '');

  const submit = async (): Promise<void> => {
    const body: Record<string, unknown> = {
      data: {
        name: draft.name,
        ...(draft.description.trim() === '' ? {} : { description: draft.description }),
        ...(parameters.value === undefined ? {} : { parameters: parameters.value }),
      },
      flow: draft.flow,
      ...(draft.prompt.trim() === '' ? {} : { prompt: draft.prompt }),
      timeoutMs: draft.timeoutMs.trim() === '' ? DEFAULT_TIMEOUT_MS : timeout,
    };
    if (draft.flow === 'explicit') {
      body.url = draft.url.trim();
      if (enteredHeaders.length > 0) body.headers = Object.fromEntries(enteredHeaders.map((h) => [h.name.trim(), h.value]));
    }
    await props.onSubmit(body);
  };

  return (
    <form
      class="form"
      aria-label={props.fn === undefined ? 'New function' : 'Edit function'}
      onSubmit={(event) => {
        event.preventDefault();
        if (busy || !canSave) return;
        setBusy(true);
        setError(undefined);
        setSchemaErrors([]);
        submit()
          .catch((err: unknown) => {
            if (err instanceof ApiError && err.errors.length > 0) {
              const forSchema = err.errors.filter((e) => e.path.startsWith('data.parameters'));
              const others = err.errors.filter((e) => !e.path.startsWith('data.parameters'));
              setSchemaErrors(forSchema);
              setError(forSchema.length > 0 && others.length === 0 ? new ApiError(err.status, err.code, "The server found problems in the parameters schema; they are listed under it.") : new ApiError(err.status, err.code, err.detail, others));
            } else setError(err);
          })
          .finally(() => setBusy(false));
      }}
    >
      <TextField label="Name" required value={draft.name} onInput={(v) => set('name', v)} hint="The tool name the model calls: 1 to 64 letters, digits, _ or -. Unique in the project." />
      {nameIssue === undefined ? null : (
        <p class="note error" role="alert">
          {nameIssue}
        </p>
      )}
      <TextField label="Description" multiline rows={3} value={draft.description} onInput={(v) => set('description', v)} hint="What the function does, for the model." />
      <SelectField
        label="Flow"
        value={draft.flow}
        onChange={(v) => set('flow', v)}
        options={[
          { value: 'implicit', label: 'Implicit: your application runs it' },
          { value: 'explicit', label: 'Explicit: the backend calls a URL' },
        ]}
      />
      {draft.flow === 'explicit' ? (
        <>
          <div class="field">
            <label for={urlId}>
              URL<span aria-hidden="true"> *</span>
            </label>
            <input id={urlId} type="text" inputMode="url" required value={draft.url} placeholder="https://example.com/tools/weather" onInput={(e) => set('url', e.currentTarget.value)} />
            <small class="muted">The https:// or wss:// endpoint the backend calls.</small>
          </div>
          {url.problem === undefined || draft.url === '' ? null : (
            <p class="note error" role="alert">
              {url.problem}
            </p>
          )}
          {url.warning === undefined ? null : <p class="note warning">{url.warning}</p>}
          <fieldset class="function-headers">
            <legend>Headers</legend>
            <p class="muted">
              Write-only: header values are stored encrypted and never shown back, not even to admins.
              {props.fn === undefined ? '' : ' Saving replaces all headers, so enter every header you want to keep again.'}
            </p>
            {existingHeaders.length === 0 ? null : (
              <p>
                Headers set now: {existingHeaders.map((name, index) => [index === 0 ? '' : ', ', <code key={name}>{name}</code>])}.
              </p>
            )}
            {props.fn !== undefined && existingHeaders.length > 0 && enteredHeaders.length === 0 ? (
              <p class="note warning">Saving without headers removes {existingHeaders.length === 1 ? 'the header above' : 'the headers above'}.</p>
            ) : null}
            {draft.headers.map((row, index) => (
              <div class="row function-header-row" key={row.key}>
                <TextField
                  label={index === 0 ? 'Header name' : `Header name ${index + 1}`}
                  value={row.name}
                  onInput={(v) => set('headers', draft.headers.map((h) => (h.key === row.key ? { ...h, name: v } : h)))}
                />
                <TextField
                  label={index === 0 ? 'Header value' : `Header value ${index + 1}`}
                  type="password"
                  value={row.value}
                  onInput={(v) => set('headers', draft.headers.map((h) => (h.key === row.key ? { ...h, value: v } : h)))}
                />
                <button type="button" class="plain" onClick={() => set('headers', draft.headers.filter((h) => h.key !== row.key))}>
                  Remove header {index + 1}
                </button>
              </div>
            ))}
            <button type="button" class="plain" onClick={() => set('headers', [...draft.headers, { key: ++headerKeys, name: '', value: '' }])}>
              Add header
            </button>
            {headerIssues.length === 0 ? null : (
              <ul class="note error" role="alert">
                {headerIssues.map((issue) => (
                  <li key={issue}>{issue}</li>
                ))}
              </ul>
            )}
          </fieldset>
        </>
      ) : null}
      <TextField label="Prompt" multiline rows={3} value={draft.prompt} onInput={(v) => set('prompt', v)} hint="Told to the model under the function name: when and how to use it." />
      <NumberField
        label="Timeout (ms)"
        min={MIN_TIMEOUT_MS}
        max={MAX_TIMEOUT_MS}
        step={1}
        value={draft.timeoutMs}
        onInput={(v) => set('timeoutMs', v)}
        hint={`How long a call may take: ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS} ms (default ${DEFAULT_TIMEOUT_MS}).`}
      />
      {timeoutIssue === undefined ? null : (
        <p class="note error" role="alert">
          {timeoutIssue}
        </p>
      )}
      <JsonSchemaEditor value={draft.parameters} onInput={(v) => set('parameters', v)} serverErrors={schemaErrors} />
      <ErrorNote error={error} />
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy || !canSave} aria-busy={busy}>
          {busy ? 'Working…' : props.submitLabel}
        </button>
        {canSave || busy ? null : <span class="muted">Fix the problems shown above to save.</span>}
      </div>
    </form>
  );
}

function FunctionDetail(props: { id: string }) {
  const project = useProjectId();
  const { isAdmin } = useWorkspace();
  const path = `/public/functions/${encodeURIComponent(props.id)}`;
  const fn = useLoad(() => api('GET', path, { project }), [project, props.id]);
  const [secret, setSecret] = useState<string>();
  const [saved, setSaved] = useState(false);
  const data = fn.data;

  return (
    <>
      <PageHeader title={data?.data?.name ?? 'Function'}>
        <a href={link('functions')}>Back to functions</a>
      </PageHeader>
      <ErrorNote error={fn.error} />
      {data === undefined ? (
        fn.error === undefined ? <Loading what="the function" /> : null
      ) : (
        <>
          <Section title="Details">
            <dl class="function-details">
              <dt>Id</dt>
              <dd>
                <code>{data.id}</code>
              </dd>
              <dt>Flow</dt>
              <dd>{data.flow}</dd>
              <dt>URL</dt>
              <dd>{data.url ?? '—'}</dd>
              <dt>Headers</dt>
              <dd>{data.headerNames.length === 0 ? 'None' : `${data.headerNames.join(', ')} (values are write-only and never shown)`}</dd>
              <dt>Timeout</dt>
              <dd>{data.timeoutMs} ms</dd>
              <dt>Description</dt>
              <dd>{data.data?.description ?? '—'}</dd>
              <dt>Prompt</dt>
              <dd>{data.prompt ?? '—'}</dd>
              <dt>Updated</dt>
              <dd>{formatDate(data.updated)}</dd>
            </dl>
            <h3>Parameters</h3>
            {data.data?.parameters === undefined ? <p class="muted">No parameters.</p> : <pre class="code-editor function-parameters">{JSON.stringify(data.data.parameters, null, 2)}</pre>}
          </Section>
          {isAdmin ? (
            <>
              <Section title="Signing secret">
                <p class="muted">Calls to an explicit endpoint carry X-Webhook-Signature made with this secret. A new secret replaces the old one at once.</p>
                {secret === undefined ? null : <SecretOnce label="New signing secret" value={secret} />}
                <ActionButton
                  confirm="Rotate the signing secret? The endpoint must use the new one from now on."
                  onClick={async () => {
                    const rotated = await api('POST', `${path}/signing-secret`, { project, ifMatch: bareEtag(data.etag) });
                    setSecret(rotated.signingSecret);
                    await fn.reload();
                  }}
                >
                  Rotate signing secret
                </ActionButton>
              </Section>
              <Section title="Edit function">
                {saved ? <Notice tone="success">Saved.</Notice> : null}
                <FunctionForm
                  key={data.etag}
                  fn={data}
                  submitLabel="Save"
                  onSubmit={async (body) => {
                    await api('PUT', path, { project, body, ifMatch: bareEtag(data.etag) });
                    await fn.reload();
                    setSaved(true);
                  }}
                />
              </Section>
              <Section title="Delete function">
                <p class="muted">A function that an agent uses cannot be deleted: remove it from those agents first.</p>
                <ActionButton
                  tone="danger"
                  confirm={`Delete the function "${data.data?.name}"?`}
                  onClick={async () => {
                    await api('DELETE', path, { project, ifMatch: bareEtag(data.etag) });
                    navigate('functions');
                  }}
                >
                  Delete
                </ActionButton>
              </Section>
            </>
          ) : (
            <Notice>Functions are read-only for members.</Notice>
          )}
        </>
      )}
    </>
  );
}

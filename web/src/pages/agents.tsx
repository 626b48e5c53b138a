/**
 * Agents: a companion (of the project or of the stock catalog) with a voice, functions, FAQ collections, a knowledge
 * base and model settings. Admins create, edit (PATCH with If-Match) and delete them; members read.
 */
import { useMemo, useRef, useState } from 'preact/hooks';
import { api, query, type Json, type Page } from '../api';
import type { PageProps } from '../app';
import { link, navigate } from '../router';
import { ActionButton, CheckboxField, ErrorNote, Form, Loading, Notice, PageHeader, Pager, Section, SelectField, Table, TextField, formatDate, useLoad } from '../ui';
import { useProjectId, useWorkspace } from '../workspace';
import './agents.css';

const USABLE_STATUSES = new Set(['readyToUse', 'completed']);

let numberCounter = 0;

/**
 * A resource's `etag` as the bodies carry it is already a quoted entity tag (`"abc"`), and `api()` quotes `ifMatch`
 * again; so the pages hand it the bare value.
 */
export function bareEtag(etag: string): string {
  return etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"') ? etag.slice(1, -1) : etag;
}

/** A number input with a visible label; empty means "not set". `step="any"` so decimals pass the browser's check. */
export function NumberField(props: { label: string; value: string; onInput: (value: string) => void; min?: number; max?: number; step?: number | 'any'; hint?: string; placeholder?: string }) {
  const id = useRef(`number-${++numberCounter}`).current;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        type="number"
        inputMode="decimal"
        min={props.min}
        max={props.max}
        step={props.step ?? 'any'}
        placeholder={props.placeholder}
        value={props.value}
        aria-describedby={props.hint === undefined ? undefined : `${id}-hint`}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
      {props.hint === undefined ? null : (
        <small id={`${id}-hint`} class="muted">
          {props.hint}
        </small>
      )}
    </div>
  );
}

/** A group of checkboxes under a legend, one per option. */
function CheckboxList(props: { legend: string; options: readonly { value: string; label: string }[]; selected: readonly string[]; onChange: (selected: string[]) => void; empty: string }) {
  return (
    <fieldset class="checkbox-list">
      <legend>{props.legend}</legend>
      {props.options.length === 0 ? <p class="muted">{props.empty}</p> : null}
      {props.options.map((option) => (
        <CheckboxField
          key={option.value}
          label={option.label}
          checked={props.selected.includes(option.value)}
          onChange={(checked) => props.onChange(checked ? [...props.selected, option.value] : props.selected.filter((v) => v !== option.value))}
        />
      ))}
    </fieldset>
  );
}

interface AgentOptions {
  readonly companions: readonly Json[];
  readonly stock: readonly Json[];
  readonly voices: readonly Json[];
  readonly functions: readonly Json[];
  readonly faqs: readonly Json[];
  readonly knowledgeBases: readonly Json[];
}

/** Everything an agent refers to, read once for the form and the labels. A list that cannot be read is left empty. */
function useAgentOptions(project: string) {
  return useLoad<AgentOptions>(async () => {
    const items = async (path: string): Promise<Json[]> => {
      try {
        const answer = await api<Page<Json> | { items: Json[] }>('GET', path, { project });
        return answer.items;
      } catch {
        return [];
      }
    };
    const [companions, stock, voices, functions, faqs, knowledgeBases] = await Promise.all([
      items('/public/companions?pageSize=100'),
      items('/public/companions/stock?pageSize=100'),
      items('/public/voices'),
      items('/public/functions?pageSize=100'),
      items('/public/faqs?pageSize=100'),
      items('/public/knowledge-bases?pageSize=100'),
    ]);
    return { companions, stock, voices, functions, faqs, knowledgeBases };
  }, [project]);
}

function companionName(companion: Json): string {
  const name = `${companion.firstName ?? ''} ${companion.lastName ?? ''}`.trim();
  return name === '' ? String(companion.id) : name;
}

function findCompanion(options: AgentOptions | undefined, id: string): Json | undefined {
  return options?.companions.find((c) => c.id === id) ?? options?.stock.find((c) => c.id === id);
}

function companionLabel(options: AgentOptions | undefined, id: string): string {
  const companion = findCompanion(options, id);
  if (companion === undefined) return id;
  return `${companionName(companion)}${companion.stock === true || options?.stock.includes(companion) ? ' (stock)' : ''}`;
}

function nameOf(list: readonly Json[] | undefined, id: string, field: (item: Json) => string): string {
  const item = list?.find((i) => i.id === id);
  return item === undefined ? id : field(item);
}

export function AgentsPage(props: PageProps) {
  const id = props.path[0];
  return id === undefined ? <AgentList /> : <AgentDetail id={id} />;
}

function AgentList() {
  const project = useProjectId();
  const { isAdmin } = useWorkspace();
  const [pageIndex, setPageIndex] = useState(0);
  const agents = useLoad(() => api<Page<Json>>('GET', `/public/agents${query({ pageIndex, pageSize: 20 })}`, { project }), [project, pageIndex]);
  const options = useAgentOptions(project);

  return (
    <>
      <PageHeader title="Agents" description="An agent is a companion with a voice, instructions, functions and knowledge, ready for sessions." />
      <Section title="Agents of this project">
        <ErrorNote error={agents.error} />
        {agents.data === undefined ? (
          agents.error === undefined ? <Loading what="agents" /> : null
        ) : (
          <>
            <Table caption="Agents" headers={['Name', 'Companion', 'Voice', 'Language', 'Updated']} rows={agents.data.items.length} empty="No agents yet.">
              {agents.data.items.map((agent) => (
                <tr key={agent.id}>
                  <td>
                    <a href={link('agents', agent.id)}>{agent.name}</a>
                  </td>
                  <td>{companionLabel(options.data, agent.companionId)}</td>
                  <td>{agent.voiceId === undefined ? '—' : nameOf(options.data?.voices, agent.voiceId, (v) => v.name)}</td>
                  <td>{agent.language ?? '—'}</td>
                  <td>{formatDate(agent.updated)}</td>
                </tr>
              ))}
            </Table>
            <Pager pageIndex={agents.data.pageIndex} pageSize={agents.data.pageSize} filteredCount={agents.data.filteredCount} onPage={setPageIndex} />
          </>
        )}
      </Section>
      {isAdmin ? (
        <Section title="New agent">
          {options.data === undefined ? (
            <Loading what="companions, voices and resources" />
          ) : (
            <AgentForm
              options={options.data}
              submitLabel="Create agent"
              onSubmit={async (body) => {
                const created = await api('POST', '/public/agents', { project, body });
                navigate('agents', created.id);
              }}
            />
          )}
        </Section>
      ) : (
        <Notice>You are a member of this organization: agents are read-only for you. Try them in the Playground.</Notice>
      )}
    </>
  );
}

interface AgentDraft {
  name: string;
  companionId: string;
  language: string;
  voiceId: string;
  functions: string[];
  faqCollections: string[];
  knowledgeBaseId: string;
  instructions: string;
  temperature: string;
  idleTimeoutSeconds: string;
  disableIdleTimeout: boolean;
  maxSessionSeconds: string;
}

function draftOf(agent: Json | undefined): AgentDraft {
  return {
    name: agent?.name ?? '',
    companionId: agent?.companionId ?? '',
    language: agent?.language ?? '',
    voiceId: agent?.voiceId ?? '',
    functions: [...(agent?.functions ?? [])],
    faqCollections: [...(agent?.faqCollections ?? [])],
    knowledgeBaseId: agent?.knowledgeBaseId ?? '',
    instructions: agent?.providerSettings?.instructions ?? '',
    temperature: agent?.providerSettings?.temperature === undefined ? '' : String(agent.providerSettings.temperature),
    idleTimeoutSeconds: agent?.idleTimeoutSeconds === undefined ? '' : String(agent.idleTimeoutSeconds),
    disableIdleTimeout: agent?.disableIdleTimeout === true,
    maxSessionSeconds: agent?.maxSessionSeconds === undefined ? '' : String(agent.maxSessionSeconds),
  };
}

/** The request body: on create, empty fields are left out; on edit, cleared optional fields become null (removed). */
function bodyOf(draft: AgentDraft, mode: 'create' | 'edit'): Record<string, unknown> {
  const optional = (value: string): string | null | undefined => (value.trim() !== '' ? value.trim() : mode === 'edit' ? null : undefined);
  const integer = (value: string, label: string): number | undefined => {
    if (value.trim() === '') return undefined;
    const n = Number(value);
    if (!Number.isInteger(n)) throw new Error(`${label} must be a whole number of seconds.`);
    return n;
  };
  let temperature: number | null | undefined = mode === 'edit' ? null : undefined;
  if (draft.temperature.trim() !== '') {
    temperature = Number(draft.temperature);
    if (Number.isNaN(temperature) || temperature < 0 || temperature > 2) throw new Error('Temperature must be a number from 0 to 2.');
  }
  const providerSettings: Record<string, unknown> = { instructions: optional(draft.instructions), temperature };
  for (const key of Object.keys(providerSettings)) if (providerSettings[key] === undefined) delete providerSettings[key];
  const body: Record<string, unknown> = {
    name: draft.name.trim(),
    companionId: draft.companionId,
    language: optional(draft.language),
    voiceId: optional(draft.voiceId),
    functions: draft.functions,
    faqCollections: draft.faqCollections,
    knowledgeBaseId: optional(draft.knowledgeBaseId),
    providerSettings,
    disableIdleTimeout: draft.disableIdleTimeout,
    idleTimeoutSeconds: integer(draft.idleTimeoutSeconds, 'Idle timeout seconds'),
    maxSessionSeconds: integer(draft.maxSessionSeconds, 'Max session seconds'),
  };
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  if (Object.keys(providerSettings).length === 0) delete body.providerSettings;
  return body;
}

function AgentForm(props: { options: AgentOptions; agent?: Json; submitLabel: string; onSubmit: (body: Record<string, unknown>) => Promise<void> }) {
  const [draft, setDraft] = useState<AgentDraft>(() => draftOf(props.agent));
  const set = <K extends keyof AgentDraft>(key: K, value: AgentDraft[K]): void => setDraft((d) => ({ ...d, [key]: value }));
  const { options } = props;
  const mode = props.agent === undefined ? 'create' : 'edit';

  const companionOptions = useMemo(() => {
    const usable = (c: Json): boolean => USABLE_STATUSES.has(c.status) || c.id === props.agent?.companionId;
    return [
      { value: '', label: 'Choose a companion' },
      ...options.companions.filter(usable).map((c) => ({ value: c.id as string, label: `${companionName(c)}${c.personaType === 'digitalTwin' ? ' (digital twin)' : ''}` })),
      ...options.stock.filter(usable).map((c) => ({ value: c.id as string, label: `${companionName(c)} (stock)${c.headline ? ` — ${c.headline}` : ''}` })),
    ];
  }, [options, props.agent]);
  const notReady = options.companions.filter((c) => !USABLE_STATUSES.has(c.status)).length;

  const companion = findCompanion(options, draft.companionId);
  const twinVoiceReady = companion?.personaType === 'digitalTwin' && companion?.voice?.status === 'ready';
  const voiceOptions = [
    { value: '', label: twinVoiceReady ? "The twin's own voice (default)" : 'Choose a voice' },
    ...(companion?.personaType === 'digitalTwin' ? [{ value: `twin:${companion.id}`, label: `The twin's own voice${twinVoiceReady ? '' : ' (not ready yet)'}` }] : []),
    ...options.voices.map((v) => ({ value: v.id as string, label: v.description ? `${v.name} — ${v.description}` : String(v.name) })),
  ];
  if (draft.voiceId !== '' && !voiceOptions.some((o) => o.value === draft.voiceId)) voiceOptions.push({ value: draft.voiceId, label: draft.voiceId });

  return (
    <Form
      label={mode === 'create' ? 'New agent' : 'Edit agent'}
      submitLabel={props.submitLabel}
      onSubmit={async () => {
        const body = bodyOf(draft, mode);
        if (mode === 'create' && body.companionId === '') throw new Error('Choose a companion.');
        await props.onSubmit(body);
      }}
    >
      <TextField label="Name" required value={draft.name} onInput={(v) => set('name', v)} />
      <SelectField
        label="Companion"
        required
        value={draft.companionId}
        onChange={(v) => set('companionId', v)}
        options={companionOptions}
        hint={`Your project's companions that are ready, and the stock catalog.${notReady > 0 ? ` ${notReady} of your companions are not ready yet.` : ''}`}
      />
      <div class="grid agent-form-grid">
        <TextField label="Language" value={draft.language} onInput={(v) => set('language', v)} hint="ISO 639-1 code, e.g. en or de" placeholder="en" />
        <SelectField
          label="Voice"
          value={draft.voiceId}
          onChange={(v) => set('voiceId', v)}
          options={voiceOptions}
          hint={twinVoiceReady ? 'Left as is, the twin speaks with its own voice.' : 'Required unless the companion is a digital twin with a ready voice.'}
        />
      </div>
      <CheckboxList
        legend="Functions"
        options={options.functions.map((f) => ({ value: f.id as string, label: String(f.data?.name ?? f.id) }))}
        selected={draft.functions}
        onChange={(v) => set('functions', v)}
        empty="This project has no functions yet."
      />
      <CheckboxList
        legend="FAQ collections"
        options={options.faqs.map((f) => ({ value: f.id as string, label: String(f.name ?? f.id) }))}
        selected={draft.faqCollections}
        onChange={(v) => set('faqCollections', v)}
        empty="This project has no FAQ collections yet."
      />
      <SelectField
        label="Knowledge base"
        value={draft.knowledgeBaseId}
        onChange={(v) => set('knowledgeBaseId', v)}
        options={[{ value: '', label: 'None' }, ...options.knowledgeBases.map((kb) => ({ value: kb.id as string, label: String(kb.name ?? kb.id) }))]}
      />
      <TextField label="Instructions" multiline rows={6} value={draft.instructions} onInput={(v) => set('instructions', v)} hint="System instructions added to the companion's persona." />
      <div class="grid agent-form-grid">
        <NumberField label="Temperature" min={0} max={2} step={0.1} value={draft.temperature} onInput={(v) => set('temperature', v)} hint="0 to 2; empty for the default." />
        <NumberField label="Idle timeout seconds" min={30} max={3600} step={1} value={draft.idleTimeoutSeconds} onInput={(v) => set('idleTimeoutSeconds', v)} hint="30 to 3600 (default 180)." placeholder="180" />
        <NumberField label="Max session seconds" min={60} max={14400} step={1} value={draft.maxSessionSeconds} onInput={(v) => set('maxSessionSeconds', v)} hint="60 to 14400 (default 3600)." placeholder="3600" />
      </div>
      <CheckboxField label="Disable idle timeout" checked={draft.disableIdleTimeout} onChange={(v) => set('disableIdleTimeout', v)} hint="Sessions stay open while the user is silent, up to the maximum length." />
    </Form>
  );
}

function AgentDetail(props: { id: string }) {
  const project = useProjectId();
  const { isAdmin } = useWorkspace();
  const agent = useLoad(() => api('GET', `/public/agents/${encodeURIComponent(props.id)}`, { project }), [project, props.id]);
  const options = useAgentOptions(project);
  const [saved, setSaved] = useState(0);
  const data = agent.data;

  return (
    <>
      <PageHeader title={data?.name ?? 'Agent'}>
        <a class="agent-link-button" href={`${link('playground')}?agent=${encodeURIComponent(props.id)}`}>
          Try in Playground
        </a>
        <a href={link('agents')}>Back to agents</a>
      </PageHeader>
      <ErrorNote error={agent.error} />
      {data === undefined ? (
        agent.error === undefined ? <Loading what="the agent" /> : null
      ) : (
        <>
          <Section title="Details">
            <dl class="agent-details">
              <dt>Id</dt>
              <dd>
                <code>{data.id}</code>
              </dd>
              <dt>Companion</dt>
              <dd>{companionLabel(options.data, data.companionId)}</dd>
              <dt>Voice</dt>
              <dd>{data.voiceId === undefined ? '—' : nameOf(options.data?.voices, data.voiceId, (v) => v.name)}</dd>
              <dt>Language</dt>
              <dd>{data.language ?? '—'}</dd>
              <dt>Functions</dt>
              <dd>{data.functions.length === 0 ? 'None' : data.functions.map((f: string) => nameOf(options.data?.functions, f, (x) => x.data?.name)).join(', ')}</dd>
              <dt>FAQ collections</dt>
              <dd>{data.faqCollections.length === 0 ? 'None' : data.faqCollections.map((f: string) => nameOf(options.data?.faqs, f, (x) => x.name)).join(', ')}</dd>
              <dt>Knowledge base</dt>
              <dd>{data.knowledgeBaseId === undefined ? 'None' : nameOf(options.data?.knowledgeBases, data.knowledgeBaseId, (x) => x.name)}</dd>
              <dt>Temperature</dt>
              <dd>{data.providerSettings?.temperature ?? 'default'}</dd>
              <dt>Idle timeout</dt>
              <dd>{data.disableIdleTimeout ? 'disabled' : `${data.idleTimeoutSeconds ?? 180} s`}</dd>
              <dt>Max session</dt>
              <dd>{data.maxSessionSeconds ?? 3600} s</dd>
              <dt>Updated</dt>
              <dd>{formatDate(data.updated)}</dd>
            </dl>
            <h3>Instructions</h3>
            <p class="agent-instructions">{data.providerSettings?.instructions || <span class="muted">None</span>}</p>
          </Section>
          {isAdmin ? (
            <>
              <Section title="Edit agent">
                {saved > 0 ? <Notice tone="success">Saved.</Notice> : null}
                {options.data === undefined ? (
                  <Loading what="companions, voices and resources" />
                ) : (
                  <AgentForm
                    key={data.etag}
                    options={options.data}
                    agent={data}
                    submitLabel="Save"
                    onSubmit={async (body) => {
                      await api('PATCH', `/public/agents/${encodeURIComponent(props.id)}`, { project, body, ifMatch: bareEtag(data.etag) });
                      await agent.reload();
                      setSaved((n) => n + 1);
                    }}
                  />
                )}
              </Section>
              <Section title="Delete agent">
                <p class="muted">Deleting an agent cannot be undone.</p>
                <ActionButton
                  tone="danger"
                  confirm={`Delete the agent "${data.name}"?`}
                  onClick={async () => {
                    await api('DELETE', `/public/agents/${encodeURIComponent(props.id)}`, { project, ifMatch: bareEtag(data.etag) });
                    navigate('agents');
                  }}
                >
                  Delete
                </ActionButton>
              </Section>
            </>
          ) : (
            <Notice>Agents are read-only for members.</Notice>
          )}
        </>
      )}
    </>
  );
}

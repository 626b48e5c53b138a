/**
 * Sessions: the project's sessions (newest first, filtered and paged) and one session's detail with its transcript
 * (the user's, the agent's and the tools' entries). Admins may delete a closed session; anyone may end an open one.
 */
import { useState } from 'preact/hooks';
import { api, query, type Json, type Page } from '../api';
import type { PageProps } from '../app';
import { link } from '../router';
import { ActionButton, ErrorNote, Loading, Notice, PageHeader, Pager, Section, SelectField, StatusBadge, Table, TextField, formatDate, formatMoney, useLoad } from '../ui';
import { useProjectId, useWorkspace } from '../workspace';
import './playground.css';
import './sessions.css';

const PAGE_SIZE = 20;

function costText(cost: Json | undefined): string {
  if (cost === undefined || cost === null) return '—';
  const amount = typeof cost.amount === 'number' ? cost.amount : (cost.amountMicros as number) / 1_000_000;
  return `${formatMoney(amount, cost.currency ?? 'USD')} (${cost.billedMinutes as number} min)`;
}

export function SessionsPage(props: PageProps) {
  const id = props.path[0];
  return id === undefined ? <SessionList /> : <SessionDetail id={id} />;
}

type Status = '' | 'pending' | 'started' | 'closed' | 'failed';

function SessionList() {
  const projectId = useProjectId();
  const workspace = useWorkspace();
  const [companionId, setCompanionId] = useState('');
  const [externalClientId, setExternalClientId] = useState('');
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<Status>('');
  const [applied, setApplied] = useState({ companionId: '', externalClientId: '', search: '', status: '' as Status });
  const [pageIndex, setPageIndex] = useState(0);
  const companions = useLoad(() => api<Page<Json>>('GET', `/public/companions${query({ pageSize: 100 })}`, { project: projectId }).catch(() => undefined), [projectId]);
  const sessions = useLoad(
    () =>
      api<Page<Json>>('GET', `/public/sessions${query({ ...applied, status: applied.status === '' ? undefined : applied.status, pageIndex, pageSize: PAGE_SIZE })}`, {
        project: projectId,
      }),
    [projectId, applied, pageIndex],
    { refreshMs: 10_000, keepPolling: (page) => page.items.some((s) => s.status === 'pending' || s.status === 'started') },
  );
  const companionNames = new Map<string, string>((companions.data?.items ?? []).map((c) => [c.id as string, (c.name as string | undefined) ?? (c.id as string)]));
  const companionOptions = [{ value: '', label: 'Any companion' }, ...(companions.data?.items ?? []).map((c) => ({ value: c.id as string, label: (c.name as string | undefined) ?? (c.id as string) }))];

  return (
    <>
      <PageHeader
        title="Sessions"
        description={
          workspace.isAdmin
            ? "The project's sessions, newest first: their status, close reason, active time, cost and transcript."
            : 'The Playground sessions you opened, newest first (members see only their own): status, close reason, active time, cost and transcript.'
        }
      />
      <Section title="Filter">
        <form
          class="row filters"
          aria-label="Filter sessions"
          onSubmit={(event) => {
            event.preventDefault();
            setPageIndex(0);
            setApplied({ companionId, externalClientId: externalClientId.trim(), search: search.trim(), status });
          }}
        >
          {companions.data !== undefined ? (
            <SelectField label="Companion" value={companionId} onChange={setCompanionId} options={companionOptions} />
          ) : (
            <TextField label="Companion id" value={companionId} onInput={setCompanionId} />
          )}
          <TextField label="External client id" value={externalClientId} onInput={setExternalClientId} />
          <TextField label="Search transcripts" type="search" value={search} onInput={setSearch} />
          <SelectField
            label="Status"
            value={status}
            onChange={setStatus}
            options={[
              { value: '', label: 'Any status' },
              { value: 'pending', label: 'pending' },
              { value: 'started', label: 'started' },
              { value: 'closed', label: 'closed' },
              { value: 'failed', label: 'failed' },
            ]}
          />
          <div class="form-actions">
            <button type="submit" class="primary">
              Apply filters
            </button>
            <button
              type="button"
              class="plain"
              onClick={() => {
                setCompanionId('');
                setExternalClientId('');
                setSearch('');
                setStatus('');
                setPageIndex(0);
                setApplied({ companionId: '', externalClientId: '', search: '', status: '' });
              }}
            >
              Clear
            </button>
          </div>
        </form>
      </Section>
      <Section title="Sessions" actions={<a href={link('playground')}>Open the Playground</a>}>
        <ErrorNote error={sessions.error} />
        {sessions.data === undefined && sessions.error === undefined ? <Loading what="sessions" /> : null}
        {sessions.data !== undefined ? (
          <>
            <p class="muted" role="status">
              {sessions.data.filteredCount} of {sessions.data.totalCount} session{sessions.data.totalCount === 1 ? '' : 's'}
            </p>
            <Table
              caption="Sessions"
              headers={['Session', 'Status', 'Close reason', 'Companion', 'External client', 'Created', 'Active seconds', 'Cost']}
              rows={sessions.data.items.length}
              empty="No session matches."
            >
              {sessions.data.items.map((s) => (
                <tr key={s.id}>
                  <td>
                    <a href={link('sessions', s.id as string)}>
                      <code>{s.id}</code>
                    </a>
                    <div class="muted small">{s.channelType}</div>
                  </td>
                  <td>
                    <StatusBadge status={s.status} />
                  </td>
                  <td>{s.closeReason ?? '—'}</td>
                  <td>{companionNames.get(s.companionId as string) ?? s.companionId}</td>
                  <td>{s.externalClientId ?? '—'}</td>
                  <td>{formatDate(s.createdAt)}</td>
                  <td>{s.activeSeconds}</td>
                  <td>{costText(s.cost)}</td>
                </tr>
              ))}
            </Table>
            <Pager pageIndex={sessions.data.pageIndex} pageSize={sessions.data.pageSize} filteredCount={sessions.data.filteredCount} onPage={setPageIndex} />
          </>
        ) : null}
      </Section>
    </>
  );
}

const ROLE_NAMES: Readonly<Record<string, string>> = { user: 'User', assistant: 'Agent', system: 'System' };

function SessionDetail(props: { id: string }) {
  const projectId = useProjectId();
  const { isAdmin } = useWorkspace();
  const [deleted, setDeleted] = useState(false);
  const session = useLoad(() => api('GET', `/public/sessions/${encodeURIComponent(props.id)}`, { project: projectId }), [projectId, props.id], {
    refreshMs: 5_000,
    keepPolling: (s) => s.status === 'pending' || s.status === 'started',
  });
  const s = session.data;
  const agentId = s?.agentId as string | undefined;
  const agent = useLoad(() => (agentId === undefined ? Promise.resolve(undefined) : api('GET', `/public/agents/${encodeURIComponent(agentId)}`, { project: projectId }).catch(() => undefined)), [projectId, agentId]);
  const open = s !== undefined && (s.status === 'pending' || s.status === 'started');
  if (deleted)
    return (
      <>
        <PageHeader title={`Session ${props.id}`} />
        <Notice tone="success">The session and its transcript were deleted.</Notice>
        <p>
          <a href={link('sessions')}>Back to all sessions</a>
        </p>
      </>
    );

  return (
    <>
      <PageHeader title={`Session ${props.id}`}>
        <a href={link('sessions')}>All sessions</a>
      </PageHeader>
      {deleted ? <Notice tone="success">The session was deleted.</Notice> : null}
      <ErrorNote error={session.error} />
      {s === undefined && session.error === undefined ? <Loading what="the session" /> : null}
      {s !== undefined ? (
        <>
          <Section
            title="Summary"
            actions={
              <div class="actions">
                {open ? (
                  <ActionButton
                    tone="danger"
                    onClick={async () => {
                      await api('DELETE', `/public/connections/${encodeURIComponent(props.id)}`, { project: projectId });
                      await session.reload();
                    }}
                  >
                    End session
                  </ActionButton>
                ) : null}
                {isAdmin ? (
                  <ActionButton
                    tone="danger"
                    confirm={`Delete session ${props.id} and its transcript? What memory it contributed is removed too.`}
                    onClick={async () => {
                      await api('DELETE', `/public/sessions/${encodeURIComponent(props.id)}`, { project: projectId });
                      setDeleted(true);
                    }}
                  >
                    Delete
                  </ActionButton>
                ) : null}
              </div>
            }
          >
            {isAdmin && open ? <p class="muted small">Only a closed session can be deleted: end it first.</p> : null}
            <dl class="facts">
              <dt>Status</dt>
              <dd>
                <StatusBadge status={s.status} />
              </dd>
              <dt>Close reason</dt>
              <dd>{s.closeReason ?? '—'}</dd>
              <dt>Channel</dt>
              <dd>
                {s.channelType} ({s.modality})
              </dd>
              <dt>Agent</dt>
              <dd>{s.agentId !== undefined ? <a href={link('agents', s.agentId as string)}>{(agent.data?.name as string | undefined) ?? s.agentId}</a> : 'Inline configuration'}</dd>
              <dt>Companion</dt>
              <dd>{s.companionId}</dd>
              <dt>External client id</dt>
              <dd>{s.externalClientId ?? '—'}</dd>
              <dt>Created</dt>
              <dd>{formatDate(s.createdAt)}</dd>
              <dt>Started</dt>
              <dd>{formatDate(s.startedAt)}</dd>
              <dt>Last activity</dt>
              <dd>{formatDate(s.lastActivityAt)}</dd>
              <dt>Closed</dt>
              <dd>{formatDate(s.closedAt)}</dd>
              <dt>Active seconds</dt>
              <dd>{s.activeSeconds}</dd>
              <dt>Cost</dt>
              <dd>{costText(s.cost)}</dd>
              {Object.keys(s.tags ?? {}).length > 0 ? (
                <>
                  <dt>Tags</dt>
                  <dd>
                    {Object.entries(s.tags as Record<string, string>)
                      .map(([k, v]) => `${k}: ${v}`)
                      .join(', ')}
                  </dd>
                </>
              ) : null}
            </dl>
          </Section>
          {(s.pendingFunctionCalls ?? []).length > 0 ? (
            <Section title="Function calls awaiting output">
              <ul>
                {(s.pendingFunctionCalls as Json[]).map((call) => (
                  <li key={call.callId}>
                    <code>{call.name}</code> ({call.callId}) <code>{call.arguments}</code> — answer before {formatDate(call.deadline)}
                  </li>
                ))}
              </ul>
            </Section>
          ) : null}
          <Section title="Transcript">
            {(s.transcript as Json[]).length === 0 ? (
              <p class="muted">Nothing was said in this session.</p>
            ) : (
              <ol class="transcript">
                {(s.transcript as Json[]).map((entry, i) => (
                  <li key={i} class={`transcript-entry ${entry.role as string}`}>
                    <div class="transcript-meta">
                      <strong>{ROLE_NAMES[entry.role as string] ?? entry.role}</strong>
                      <span class="muted small">
                        {formatDate(entry.at)}
                        {entry.source !== undefined ? ` · from ${entry.source as string}` : ''}
                        {typeof entry.durationMs === 'number' ? ` · ${Math.round(entry.durationMs)} ms` : ''}
                      </span>
                    </div>
                    {entry.text !== '' ? <p class="transcript-text">{entry.text}</p> : null}
                    {(entry.toolCalls ?? []).map((call: Json) => (
                      <div class="transcript-tool" key={call.callId}>
                        <div>
                          <span class="muted">Tool</span> <code>{call.name}</code> {call.outcome !== undefined ? <StatusBadge status={call.outcome} /> : null}
                          {typeof call.durationMs === 'number' ? <span class="muted small"> {Math.round(call.durationMs)} ms</span> : null}
                        </div>
                        <details>
                          <summary>Arguments and result</summary>
                          <p class="muted small">Arguments</p>
                          <pre class="tool-json">{call.arguments}</pre>
                          {call.output !== undefined ? (
                            <>
                              <p class="muted small">Result</p>
                              <pre class="tool-json">{call.output}</pre>
                            </>
                          ) : null}
                        </details>
                      </div>
                    ))}
                  </li>
                ))}
              </ol>
            )}
          </Section>
        </>
      ) : null}
    </>
  );
}

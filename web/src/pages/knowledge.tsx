/**
 * Knowledge bases of the project: the list, creation, and a base's files with their ingestion status (followed
 * while any file is still uploading or processing), uploads with progress, files from URLs, summaries, search.
 */
import { useState } from 'preact/hooks';
import { api, upload, type Json, type Page } from '../api';
import type { PageProps } from '../app';
import { link, navigate } from '../router';
import {
  ActionButton,
  Dialog,
  ErrorNote,
  FileField,
  Form,
  Loading,
  Notice,
  PageHeader,
  Pager,
  ProgressBar,
  Section,
  StatusBadge,
  Table,
  TextField,
  formatBytes,
  formatDate,
  useLoad,
} from '../ui';
import { useProjectId, useWorkspace } from '../workspace';
import './knowledge.css';

const PAGE_SIZE = 20;
const FILE_PAGE_SIZE = 50;
const BUSY = new Set(['uploading', 'processing']);
const ACCEPT = '.pdf,.docx,.txt,.md,.html,.htm,.csv,.json,.png,.jpg,.jpeg';

export function KnowledgePage(props: PageProps) {
  const id = props.path[0];
  return id === undefined ? <KnowledgeBaseList /> : <KnowledgeBaseDetail key={id} id={id} />;
}

const basePath = (id: string): string => `/public/knowledge-bases/${encodeURIComponent(id)}`;

function KnowledgeBaseList() {
  const projectId = useProjectId();
  const { isAdmin } = useWorkspace();
  const [pageIndex, setPageIndex] = useState(0);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const { data, error } = useLoad(() => api<Page<Json>>('GET', `/public/knowledge-bases?pageIndex=${pageIndex}&pageSize=${PAGE_SIZE}`, { project: projectId }), [
    projectId,
    pageIndex,
  ]);

  return (
    <>
      <PageHeader title="Knowledge" description="Documents your agents can search while they talk: up to 30 files per knowledge base.">
        {isAdmin ? (
          <button type="button" class="primary" onClick={() => setCreating(true)}>
            Create knowledge base
          </button>
        ) : null}
      </PageHeader>
      <Section title="Knowledge bases">
        <ErrorNote error={error} />
        {data === undefined ? (
          error === undefined ? <Loading what="knowledge bases" /> : null
        ) : (
          <>
            <Table caption="Knowledge bases" headers={['Name', 'Files', 'Id', 'Created']} rows={data.items.length} empty="No knowledge bases yet.">
              {data.items.map((base) => (
                <tr key={base.id}>
                  <td>
                    <a href={link('knowledge', base.id)}>{base.name}</a>
                  </td>
                  <td>{base.fileCount}</td>
                  <td>
                    <code>{base.id}</code>
                  </td>
                  <td>{formatDate(base.created)}</td>
                </tr>
              ))}
            </Table>
            <Pager pageIndex={data.pageIndex} pageSize={data.pageSize} filteredCount={data.filteredCount} onPage={setPageIndex} />
          </>
        )}
      </Section>
      {isAdmin ? (
        <Dialog title="Create knowledge base" open={creating} onClose={() => setCreating(false)}>
          <Form
            label="Create knowledge base"
            submitLabel="Create knowledge base"
            onSubmit={async () => {
              const base = await api<Json>('POST', '/public/knowledge-bases', { project: projectId, body: { name: name.trim() } });
              setCreating(false);
              setName('');
              navigate('knowledge', base.id);
            }}
          >
            <TextField label="Name" required value={name} onInput={setName} placeholder="Product manuals" />
          </Form>
        </Dialog>
      ) : null}
    </>
  );
}

interface UploadState {
  readonly key: string;
  readonly name: string;
  readonly size: number;
  progress: number;
  state: 'waiting' | 'uploading' | 'done' | 'failed';
  error?: unknown;
}

function KnowledgeBaseDetail(props: { id: string }) {
  const projectId = useProjectId();
  const { isAdmin } = useWorkspace();
  const [filePage, setFilePage] = useState(0);
  const [editing, setEditing] = useState<Json>();
  const base = useLoad(() => api<Json>('GET', basePath(props.id), { project: projectId }), [projectId, props.id]);
  const files = useLoad(
    () => api<Page<Json>>('GET', `${basePath(props.id)}/files?pageIndex=${filePage}&pageSize=${FILE_PAGE_SIZE}`, { project: projectId }),
    [projectId, props.id, filePage],
    { refreshMs: 1500, keepPolling: (page) => page.items.some((f) => BUSY.has(f.status)) },
  );

  const title = base.data?.name ?? 'Knowledge base';
  const reloadAll = async (): Promise<void> => {
    await Promise.all([files.reload(), base.reload()]);
  };

  return (
    <>
      <PageHeader title={title} description={base.data === undefined ? undefined : `${base.data.fileCount} of 30 files · created ${formatDate(base.data.created)}`}>
        {isAdmin && base.data !== undefined ? (
          <ActionButton
            tone="danger"
            confirm={`Delete the knowledge base "${base.data.name}" with all its files?`}
            onClick={async () => {
              await api('DELETE', basePath(props.id), { project: projectId });
              navigate('knowledge');
            }}
          >
            Delete knowledge base
          </ActionButton>
        ) : null}
      </PageHeader>
      <p>
        <a href={link('knowledge')}>Back to the knowledge bases</a>
      </p>
      <ErrorNote error={base.error} />

      <Section title="Documents">
        <ErrorNote error={files.error} />
        {files.data === undefined ? (
          files.error === undefined ? <Loading what="files" /> : null
        ) : (
          <>
            {files.data.items.some((f) => BUSY.has(f.status)) ? (
              <p class="muted" role="status">
                Files are being processed; this list updates by itself.
              </p>
            ) : null}
            <Table
              caption="Documents in this knowledge base"
              headers={['Name', 'Type', 'Size', 'Status', 'Failure reason', 'Chunks', 'Summary', ...(isAdmin ? ['Actions'] : [])]}
              rows={files.data.items.length}
              empty="No documents yet."
            >
              {files.data.items.map((file) => (
                <tr key={file.id}>
                  <th scope="row" class="knowledge-name">
                    {file.originalName}
                  </th>
                  <td>{file.type ?? file.contentType}</td>
                  <td class="knowledge-nowrap">{formatBytes(file.size)}</td>
                  <td>
                    <StatusBadge status={file.status} />
                  </td>
                  <td>
                    {file.failureReason ? (
                      <>
                        <code>{file.failureReason}</code>
                        {file.failureMessage ? <div class="muted">{file.failureMessage}</div> : null}
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{file.chunkCount}</td>
                  <td class="knowledge-summary">
                    {file.summary ?? <span class="muted">—</span>}
                    {file.summarySource === 'override' ? <div class="muted">(your own summary)</div> : null}
                  </td>
                  {isAdmin ? (
                    <td>
                      <div class="actions">
                        <button type="button" onClick={() => setEditing(file)}>
                          Edit summary
                        </button>
                        <ActionButton
                          tone="danger"
                          confirm={`Delete the file "${file.originalName}" and its passages?`}
                          onClick={async () => {
                            await api('DELETE', `${basePath(props.id)}/files/${encodeURIComponent(file.id)}`, { project: projectId });
                            await reloadAll();
                          }}
                        >
                          Delete
                        </ActionButton>
                      </div>
                    </td>
                  ) : null}
                </tr>
              ))}
            </Table>
            <Pager pageIndex={files.data.pageIndex} pageSize={files.data.pageSize} filteredCount={files.data.filteredCount} onPage={setFilePage} />
          </>
        )}
      </Section>

      {isAdmin ? (
        <div class="grid knowledge-add">
          <UploadFiles baseId={props.id} onUploaded={reloadAll} />
          <AddFromUrl baseId={props.id} onAdded={reloadAll} />
        </div>
      ) : null}

      {isAdmin ? <SearchBase baseId={props.id} /> : <p class="muted">Searching a knowledge base is for organization admins; agents search it while they talk.</p>}

      {isAdmin ? (
        <Dialog title="Edit summary" open={editing !== undefined} onClose={() => setEditing(undefined)}>
          {editing === undefined ? null : (
            <SummaryForm
              baseId={props.id}
              file={editing}
              onSaved={async () => {
                setEditing(undefined);
                await files.reload();
              }}
            />
          )}
        </Dialog>
      ) : null}
    </>
  );
}

function UploadFiles(props: { baseId: string; onUploaded: () => Promise<void> }) {
  const projectId = useProjectId();
  const [chosen, setChosen] = useState<File[]>([]);
  const [uploads, setUploads] = useState<UploadState[]>([]);
  const [inputKey, setInputKey] = useState(0);

  const update = (key: string, change: Partial<UploadState>): void => setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...change } : u)));

  const submit = async (): Promise<void> => {
    if (chosen.length === 0) throw new Error('Choose one or more files first.');
    const batch = chosen.map((file, i) => ({ file, state: { key: `${Date.now()}-${i}`, name: file.name, size: file.size, progress: 0, state: 'waiting' as const } }));
    setUploads(batch.map((b) => b.state));
    // One at a time: each file gets its own progress and its own answer (limits, formats).
    for (const { file, state } of batch) {
      update(state.key, { state: 'uploading' });
      const form = new FormData();
      form.append('file', file, file.name);
      try {
        await upload('POST', `${basePath(props.baseId)}/files`, form, (progress) => update(state.key, { progress }), { project: projectId });
        update(state.key, { state: 'done', progress: 1 });
      } catch (error) {
        update(state.key, { state: 'failed', error });
      }
      await props.onUploaded();
    }
    setChosen([]);
    setInputKey((k) => k + 1);
  };

  return (
    <Section title="Upload">
      <Form submitLabel="Upload files" onSubmit={submit}>
        <FileField
          key={inputKey}
          label="Files"
          multiple
          accept={ACCEPT}
          onChange={setChosen}
          hint="pdf and docx up to 50 MB; txt, md, html, csv, json, png and jpeg up to 10 MB."
        />
      </Form>
      {uploads.length === 0 ? null : (
        <ul class="knowledge-uploads" aria-label="Uploads">
          {uploads.map((u) => (
            <li key={u.key}>
              <div class="knowledge-upload-head">
                <strong>{u.name}</strong> <span class="muted">{formatBytes(u.size)}</span>{' '}
                <span role="status">{u.state === 'done' ? 'Uploaded' : u.state === 'failed' ? 'Failed' : u.state === 'uploading' ? 'Uploading…' : 'Waiting'}</span>
              </div>
              <ProgressBar value={u.progress} label={u.name} />
              <ErrorNote error={u.error} />
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function AddFromUrl(props: { baseId: string; onAdded: () => Promise<void> }) {
  const projectId = useProjectId();
  const [url, setUrl] = useState('');
  const [added, setAdded] = useState<string>();
  return (
    <Section title="Add from URL">
      <Form
        submitLabel="Add from URL"
        onSubmit={async () => {
          setAdded(undefined);
          const file = await api<Json>('POST', `${basePath(props.baseId)}/files`, { project: projectId, body: { url: url.trim() } });
          setAdded(file.originalName ?? url);
          setUrl('');
          await props.onAdded();
        }}
      >
        <TextField label="File URL" type="url" required value={url} onInput={setUrl} placeholder="https://example.com/manual.pdf" hint="A public https:// address; the server fetches the file." />
      </Form>
      {added === undefined ? null : <Notice tone="success">Added {added}; it is fetched and processed now.</Notice>}
    </Section>
  );
}

function SummaryForm(props: { baseId: string; file: Json; onSaved: () => Promise<void> }) {
  const projectId = useProjectId();
  const [summary, setSummary] = useState<string>(props.file.summary ?? '');
  return (
    <Form
      submitLabel="Save summary"
      onSubmit={async () => {
        await api('PATCH', `${basePath(props.baseId)}/files/${encodeURIComponent(props.file.id)}/summary`, {
          project: projectId,
          body: { summary: summary.trim() },
          ifMatch: (props.file.etag as string | undefined)?.replace(/^"(.*)"$/, '$1'),
        });
        await props.onSaved();
      }}
    >
      <p>
        File: <strong>{props.file.originalName}</strong>
      </p>
      <TextField label="Summary" required multiline rows={6} value={summary} onInput={setSummary} hint="Your summary replaces the generated one, also when the file is processed again." />
    </Form>
  );
}

function SearchBase(props: { baseId: string }) {
  const projectId = useProjectId();
  const [text, setText] = useState('');
  const [results, setResults] = useState<Json[]>();
  const [asked, setAsked] = useState('');
  return (
    <Section title="Search">
      <Form
        submitLabel="Search"
        onSubmit={async () => {
          const q = text.trim();
          const answer = await api<Json>('POST', `${basePath(props.baseId)}/search`, { project: projectId, body: { query: q, top: 10 } });
          setAsked(q);
          setResults(answer.results ?? []);
        }}
      >
        <TextField label="Search this knowledge base" type="search" required value={text} onInput={setText} placeholder="A question or keywords" />
      </Form>
      {results === undefined ? null : (
        <div class="knowledge-results">
          <p role="status" class="muted">
            {results.length === 0 ? `No passages found for "${asked}".` : `${results.length} passage${results.length === 1 ? '' : 's'} for "${asked}".`}
          </p>
          <ol>
            {results.map((r, i) => (
              <li key={`${r.fileId}-${i}`} class="knowledge-result">
                <h3>
                  {r.fileName}
                  {r.page === undefined ? '' : `, page ${r.page}`}
                </h3>
                <p class="muted">
                  Score {Number(r.score).toFixed(3)}
                  {r.page === undefined ? '' : ` · page ${r.page}`}
                  {r.section ? ` · ${r.section}` : ''}
                </p>
                <p class="knowledge-passage">{r.text}</p>
              </li>
            ))}
          </ol>
        </div>
      )}
    </Section>
  );
}

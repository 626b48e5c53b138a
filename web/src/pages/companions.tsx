/**
 * Companions and digital twins of the project, and the read-only stock catalog: list with filters, creation (media
 * by public URL or by file upload), a detail view that follows the status, editing and deletion (admins).
 */
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, blobUrl, query, upload, type Json, type Page } from '../api';
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
  SelectField,
  StatusBadge,
  Table,
  TextField,
  formatBytes,
  formatDate,
  useLoad,
} from '../ui';
import { useProjectId, useWorkspace } from '../workspace';
import './companions.css';

type PersonaFilter = '' | 'companion' | 'digitalTwin';
type StatusFilter = '' | 'pending' | 'generationCompleted' | 'readyToUse' | 'completed' | 'failed';
type Gender = '' | 'male' | 'female' | 'nonBinary';
type Version = 'v1' | 'v2';
type MediaSource = 'none' | 'url' | 'file';
type MediaKind = 'picture' | 'video' | 'voice';

const PAGE_SIZE = 20;
const SETTLED = new Set(['completed', 'readyToUse', 'failed']);

const GENDERS: readonly { value: Gender; label: string }[] = [
  { value: '', label: 'Not given' },
  { value: 'male', label: 'Male' },
  { value: 'female', label: 'Female' },
  { value: 'nonBinary', label: 'Non-binary' },
];

const STATUS_OPTIONS: readonly { value: StatusFilter; label: string }[] = [
  { value: '', label: 'Any status' },
  { value: 'pending', label: 'pending' },
  { value: 'generationCompleted', label: 'generationCompleted' },
  { value: 'readyToUse', label: 'readyToUse' },
  { value: 'completed', label: 'completed' },
  { value: 'failed', label: 'failed' },
];

export function CompanionsPage(props: PageProps) {
  const id = props.path[0];
  return id === undefined ? <CompanionList /> : <CompanionDetail key={id} id={id} />;
}

/** The body's etag carries its quotes; api() adds them to If-Match itself. */
export function bareEtag(etag: string | undefined): string | undefined {
  return etag?.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

export function fullName(companion: Json): string {
  const name = `${companion.firstName ?? ''} ${companion.lastName ?? ''}`.trim();
  return name === '' ? companion.id : name;
}

/** An image the API serves behind authentication, as an object URL revoked when it changes or unmounts. */
function AuthImage(props: { path: string | undefined; alt: string; class?: string }) {
  const projectId = useProjectId();
  const [url, setUrl] = useState<string>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    setUrl(undefined);
    setFailed(false);
    if (props.path === undefined) return;
    let revoked = false;
    let objectUrl: string | undefined;
    blobUrl(props.path, { project: projectId })
      .then((u) => {
        if (revoked) URL.revokeObjectURL(u);
        else {
          objectUrl = u;
          setUrl(u);
        }
      })
      .catch(() => {
        if (!revoked) setFailed(true);
      });
    return () => {
      revoked = true;
      if (objectUrl !== undefined) URL.revokeObjectURL(objectUrl);
    };
  }, [props.path, projectId]);
  if (props.path === undefined) return <span class="muted">No picture</span>;
  if (failed) return <span class="muted">Picture unavailable</span>;
  if (url === undefined) return <span class="muted">…</span>;
  return <img src={url} alt={props.alt} class={props.class ?? 'thumb'} />;
}

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

function CompanionList() {
  const projectId = useProjectId();
  const { isAdmin } = useWorkspace();
  const [personaType, setPersonaType] = useState<PersonaFilter>('');
  const [status, setStatus] = useState<StatusFilter>('');
  const [searchText, setSearchText] = useState('');
  const search = useDebounced(searchText.trim(), 300);
  const [pageIndex, setPageIndex] = useState(0);
  const [stockPage, setStockPage] = useState(0);
  const [creating, setCreating] = useState<'companion' | 'digitalTwin' | undefined>();

  useEffect(() => setPageIndex(0), [personaType, status, search]);

  const list = useLoad(
    () =>
      api<Page<Json>>(
        'GET',
        `/public/companions${query({ personaType, 'statuses[]': status === '' ? undefined : [status], search, pageIndex, pageSize: PAGE_SIZE })}`,
        { project: projectId },
      ),
    [projectId, personaType, status, search, pageIndex],
    // New companions move through their statuses; the list follows them while any is still on its way.
    { refreshMs: 5000, keepPolling: (page) => page.items.some((c) => !SETTLED.has(c.status)) },
  );
  const stock = useLoad(() => api<Page<Json>>('GET', `/public/companions/stock${query({ pageIndex: stockPage, pageSize: PAGE_SIZE })}`, { project: projectId }), [
    projectId,
    stockPage,
  ]);

  return (
    <>
      <PageHeader title="Companions" description="The avatars your agents speak through: your own companions, digital twins of real people, and the stock catalog.">
        {isAdmin ? (
          <>
            <button type="button" class="primary" onClick={() => setCreating('companion')}>
              Create companion
            </button>
            <button type="button" onClick={() => setCreating('digitalTwin')}>
              Create digital twin
            </button>
          </>
        ) : null}
      </PageHeader>

      <Section title="Your companions">
        <div class="row companions-filters">
          <SelectField<PersonaFilter>
            label="Type"
            value={personaType}
            onChange={setPersonaType}
            options={[
              { value: '', label: 'All' },
              { value: 'companion', label: 'Companions' },
              { value: 'digitalTwin', label: 'Digital twins' },
            ]}
          />
          <SelectField<StatusFilter> label="Status" value={status} onChange={setStatus} options={STATUS_OPTIONS} />
          <TextField label="Search" type="search" value={searchText} onInput={setSearchText} placeholder="Name, headline or description" />
        </div>
        <ErrorNote error={list.error} />
        {list.data === undefined ? (
          list.error === undefined ? <Loading what="companions" /> : null
        ) : (
          <>
            <p class="muted" role="status">
              {list.data.filteredCount === list.data.totalCount
                ? `${list.data.totalCount} companion${list.data.totalCount === 1 ? '' : 's'}`
                : `${list.data.filteredCount} of ${list.data.totalCount} companions match`}
            </p>
            <Table
              caption="Your companions"
              headers={['Picture', 'Name', 'Type', 'Status', 'Version', 'Created']}
              rows={list.data.items.length}
              empty={list.data.totalCount === 0 ? 'No companions yet.' : 'No companion matches these filters.'}
            >
              {list.data.items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <AuthImage path={c.previewUrl} alt={`Picture of ${fullName(c)}`} />
                  </td>
                  <td>
                    <a href={link('companions', c.id)}>{fullName(c)}</a>
                    {c.headline ? <div class="muted">{c.headline}</div> : null}
                  </td>
                  <td>{c.personaType === 'digitalTwin' ? 'Digital twin' : 'Companion'}</td>
                  <td>
                    <StatusBadge status={c.status} />
                  </td>
                  <td>{c.version}</td>
                  <td>{formatDate(c.created)}</td>
                </tr>
              ))}
            </Table>
            <Pager pageIndex={list.data.pageIndex} pageSize={list.data.pageSize} filteredCount={list.data.filteredCount} onPage={setPageIndex} />
          </>
        )}
      </Section>

      <Section title="Stock catalog">
        <p class="muted">Ready-made companions every project can use. They are read-only.</p>
        <ErrorNote error={stock.error} />
        {stock.data === undefined ? (
          stock.error === undefined ? <Loading what="the stock catalog" /> : null
        ) : (
          <>
            <Table caption="Stock catalog" headers={['Picture', 'Name', 'Headline', 'Status', 'Version']} rows={stock.data.items.length} empty="The stock catalog is empty.">
              {stock.data.items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <AuthImage path={`/public/companions/stock/${encodeURIComponent(c.id)}/preview`} alt={`Picture of ${fullName(c)}`} />
                  </td>
                  <td>
                    <a href={link('companions', c.id)}>{fullName(c)}</a>
                  </td>
                  <td>{c.headline}</td>
                  <td>
                    <StatusBadge status={c.status} />
                  </td>
                  <td>{c.version}</td>
                </tr>
              ))}
            </Table>
            <Pager pageIndex={stock.data.pageIndex} pageSize={stock.data.pageSize} filteredCount={stock.data.filteredCount} onPage={setStockPage} />
          </>
        )}
      </Section>

      {isAdmin ? (
        <>
          <Dialog title="Create companion" open={creating === 'companion'} onClose={() => setCreating(undefined)}>
            <CreateCompanionForm onDone={() => setCreating(undefined)} />
          </Dialog>
          <Dialog title="Create digital twin" open={creating === 'digitalTwin'} onClose={() => setCreating(undefined)}>
            <CreateTwinForm onDone={() => setCreating(undefined)} />
          </Dialog>
        </>
      ) : null}
    </>
  );
}

function useEthnicities(): { options: { value: string; label: string }[]; error: unknown } {
  const projectId = useProjectId();
  const { data, error } = useLoad(() => api<{ items: string[] }>('GET', '/public/companions/ethnicities', { project: projectId }), [projectId]);
  return { options: [{ value: '', label: 'Not given' }, ...(data?.items ?? []).map((e) => ({ value: e, label: e }))], error };
}

/** Asks for an upload URL for one medium and PUTs the file there with the headers the server gave. */
async function uploadMedia(projectId: string, companionId: string, kind: MediaKind, file: File, onProgress: (fraction: number) => void): Promise<void> {
  const contentType = file.type === '' ? 'application/octet-stream' : file.type;
  const ticket = await api<Json>('POST', `/public/companions/${encodeURIComponent(companionId)}/uploads`, {
    project: projectId,
    body: { kind, fileName: file.name, contentType, size: file.size },
  });
  const headers: Record<string, string> = { ...(ticket.headers ?? {}) };
  if (headers['content-type'] === undefined) headers['content-type'] = contentType;
  await upload('PUT', ticket.uploadUrl, file, onProgress, { extraHeaders: headers });
}

/** A medium given as a public URL or as a file: the choice, then the matching field. */
function MediaInput(props: {
  kind: MediaKind;
  noun: string;
  accept: string;
  source: MediaSource;
  onSource: (source: MediaSource) => void;
  url: string;
  onUrl: (url: string) => void;
  onFile: (file: File | undefined) => void;
  required?: boolean;
  noneLabel?: string;
  hint?: string;
}) {
  const Noun = props.noun[0]!.toUpperCase() + props.noun.slice(1);
  const options: { value: MediaSource; label: string }[] = [
    ...(props.required ? [] : [{ value: 'none' as const, label: props.noneLabel ?? `No ${props.noun}` }]),
    { value: 'url', label: 'A public URL' },
    { value: 'file', label: 'A file from this computer' },
  ];
  return (
    <fieldset class="companions-media">
      <legend>{Noun}</legend>
      <SelectField<MediaSource> label={`${Noun} from`} value={props.source} onChange={props.onSource} options={options} hint={props.hint} />
      {props.source === 'url' ? <TextField label={`${Noun} URL`} type="url" required value={props.url} onInput={props.onUrl} placeholder="https://…" /> : null}
      {props.source === 'file' ? <FileField label={`${Noun} file`} required accept={props.accept} onChange={(files) => props.onFile(files[0])} /> : null}
    </fieldset>
  );
}

const ACCEPT: Record<MediaKind, string> = {
  picture: 'image/png,image/jpeg,image/webp',
  video: 'video/mp4,video/quicktime,video/webm',
  voice: 'audio/*,video/mp4,video/webm',
};

interface PendingUpload {
  readonly kind: MediaKind;
  readonly file: File;
}

/** The uploads that follow a creation, each with its progress; failures are shown with a link to the companion. */
function useUploads() {
  const [progress, setProgress] = useState<Partial<Record<MediaKind, number>>>({});
  const run = async (projectId: string, companionId: string, uploads: readonly PendingUpload[]): Promise<void> => {
    for (const { kind, file } of uploads) {
      setProgress((p) => ({ ...p, [kind]: 0 }));
      await uploadMedia(projectId, companionId, kind, file, (fraction) => setProgress((p) => ({ ...p, [kind]: fraction })));
    }
  };
  return { progress, run, reset: () => setProgress({}) };
}

function UploadProgress(props: { progress: Partial<Record<MediaKind, number>>; files: Partial<Record<MediaKind, File | undefined>> }) {
  const entries = Object.entries(props.progress) as [MediaKind, number][];
  if (entries.length === 0) return null;
  return (
    <div>
      {entries.map(([kind, value]) => (
        <ProgressBar key={kind} value={value} label={`Uploading ${props.files[kind]?.name ?? kind}`} />
      ))}
    </div>
  );
}

/** After a creation whose upload failed: the companion exists, so say so and link it. */
class UploadAfterCreateError extends Error {
  constructor(
    readonly companionId: string,
    readonly cause: unknown,
  ) {
    super('upload failed');
  }
}

function UploadFailure(props: { failure: UploadAfterCreateError | undefined }) {
  if (props.failure === undefined) return null;
  const refused = props.failure.cause instanceof ApiError && props.failure.cause.code === 'MediaUploadNotAccepted';
  return (
    <div class="note warning" role="alert">
      <p>
        The companion was created, but its file could not be uploaded.{' '}
        {refused ? 'The server takes no file for it now.' : 'You can upload it again on the companion’s page.'}
      </p>
      <ErrorNote error={props.failure.cause} />
      <a href={link('companions', props.failure.companionId)}>Open the companion</a>
    </div>
  );
}

/** The avatar model: v1 is made from a picture, v2 from a video. */
const VERSION_OPTIONS: readonly { value: Version; label: string }[] = [
  { value: 'v1', label: 'v1 (from a picture)' },
  { value: 'v2', label: 'v2 (from a video)' },
];

function CreateCompanionForm(props: { onDone: () => void }) {
  const projectId = useProjectId();
  const ethnicities = useEthnicities();
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [description, setDescription] = useState('');
  const [gender, setGender] = useState<Gender>('');
  const [ethnicity, setEthnicity] = useState('');
  const [version, setVersion] = useState<Version>('v1');
  const [source, setSource] = useState<MediaSource>('none');
  const [mediaUrl, setMediaUrl] = useState('');
  const [file, setFile] = useState<File>();
  const [failure, setFailure] = useState<UploadAfterCreateError>();
  const uploads = useUploads();
  const kind: MediaKind = version === 'v1' ? 'picture' : 'video';

  const submit = async (): Promise<void> => {
    setFailure(undefined);
    uploads.reset();
    if (source === 'file' && file === undefined) throw new Error(`Choose the ${kind} file.`);
    const body: Record<string, unknown> = { description, version };
    if (firstName.trim() !== '') body.firstName = firstName.trim();
    if (lastName.trim() !== '') body.lastName = lastName.trim();
    if (gender !== '') body.gender = gender;
    if (ethnicity !== '') body.ethnicity = ethnicity;
    if (source === 'url') body[version === 'v1' ? 'pictureUrl' : 'videoUrl'] = mediaUrl.trim();
    // A file is declared at creation, so the companion waits for it (30 minutes, then UploadExpired).
    if (source === 'file') body.uploads = [kind];
    const created = await api<Json>('POST', '/public/companions', { project: projectId, body });
    if (source === 'file' && file !== undefined) {
      try {
        await uploads.run(projectId, created.id, [{ kind, file }]);
      } catch (err) {
        setFailure(new UploadAfterCreateError(created.id, err));
        return;
      }
    }
    props.onDone();
    navigate('companions', created.id);
  };

  return (
    <Form onSubmit={submit} submitLabel="Create companion" label="Create companion">
      <div class="row">
        <TextField label="First name" value={firstName} onInput={setFirstName} />
        <TextField label="Last name" value={lastName} onInput={setLastName} />
      </div>
      <TextField label="Description" required multiline value={description} onInput={setDescription} hint="Personality and role: the foundation of the agent’s instructions." />
      <div class="row">
        <SelectField<Gender> label="Gender" value={gender} onChange={setGender} options={GENDERS} />
        <SelectField<string> label="Ethnicity" value={ethnicity} onChange={setEthnicity} options={ethnicities.options} />
        <SelectField<Version> label="Version" value={version} onChange={setVersion} options={VERSION_OPTIONS} />
      </div>
      <ErrorNote error={ethnicities.error} />
      <MediaInput
        kind={kind}
        noun={kind}
        accept={ACCEPT[kind]}
        source={source}
        onSource={setSource}
        url={mediaUrl}
        onUrl={setMediaUrl}
        onFile={setFile}
        noneLabel="None: generate a portrait from the description"
        hint={
          version === 'v1'
            ? 'A 16:9 picture, waist up, facing the camera (at most 10 MB).'
            : 'A video of the person speaking: mp4, mov or webm, 5–120 s, at most 100 MB.'
        }
      />
      {source === 'file' ? (
        <p class="muted">The file is uploaded once the companion is created; the companion waits up to 30 minutes for it.</p>
      ) : null}
      <UploadProgress progress={uploads.progress} files={{ [kind]: file }} />
      <UploadFailure failure={failure} />
    </Form>
  );
}

function CreateTwinForm(props: { onDone: () => void }) {
  const projectId = useProjectId();
  const ethnicities = useEthnicities();
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [description, setDescription] = useState('');
  const [gender, setGender] = useState<Gender>('female');
  const [ethnicity, setEthnicity] = useState('');
  const [externalClientId, setExternalClientId] = useState('');
  const [version, setVersion] = useState<Version>('v1');
  const [voiceUrl, setVoiceUrl] = useState('');
  const [likenessUrl, setLikenessUrl] = useState('');
  const [voiceSource, setVoiceSource] = useState<MediaSource>('url');
  const [voiceFile, setVoiceFile] = useState<File>();
  const [likenessSource, setLikenessSource] = useState<MediaSource>('url');
  const [likenessFile, setLikenessFile] = useState<File>();
  const [consentMissing, setConsentMissing] = useState(false);
  const [failure, setFailure] = useState<UploadAfterCreateError>();
  const uploads = useUploads();
  const likenessKind: MediaKind = version === 'v1' ? 'picture' : 'video';

  const submit = async (): Promise<void> => {
    setConsentMissing(false);
    if (ethnicity === '') throw new Error('Choose the ethnicity.');
    const body: Record<string, unknown> = {
      firstName: firstName.trim(),
      lastName: lastName.trim(),
      description,
      gender,
      ethnicity,
      externalClientId: externalClientId.trim(),
      version,
    };
    const files: PendingUpload[] = [];
    if (voiceSource === 'file') {
      if (voiceFile === undefined) throw new Error('Choose the voice recording file.');
      files.push({ kind: 'voice', file: voiceFile });
    } else body.voiceUrl = voiceUrl.trim();
    if (likenessSource === 'file') {
      if (likenessFile === undefined) throw new Error(`Choose the ${likenessKind} file.`);
      files.push({ kind: likenessKind, file: likenessFile });
    } else body[version === 'v1' ? 'pictureUrl' : 'videoUrl'] = likenessUrl.trim();
    // Files are declared at creation, so the twin waits for them (30 minutes, then UploadExpired).
    if (files.length > 0) body.uploads = files.map((f) => f.kind);
    setFailure(undefined);
    uploads.reset();
    let created: Json;
    try {
      created = await api<Json>('POST', '/public/digital-twins', { project: projectId, body });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'DigitalTwinConsentRequired') {
        setConsentMissing(true);
        return;
      }
      throw err;
    }
    try {
      await uploads.run(projectId, created.id, files);
    } catch (err) {
      setFailure(new UploadAfterCreateError(created.id, err));
      return;
    }
    props.onDone();
    navigate('companions', created.id);
  };

  return (
    <Form onSubmit={submit} submitLabel="Create digital twin" label="Create digital twin">
      <p class="muted">A digital twin speaks with a real person’s voice and likeness. An organization admin must have given consent on the Settings page.</p>
      {consentMissing ? (
        <div class="note error" role="alert">
          Digital twins need an organization admin’s consent first. Give it on the <a href={link('settings')}>Settings page</a>, then create the twin again.
        </div>
      ) : null}
      <div class="row">
        <TextField label="First name" required value={firstName} onInput={setFirstName} />
        <TextField label="Last name" required value={lastName} onInput={setLastName} />
      </div>
      <TextField label="Description" required multiline value={description} onInput={setDescription} hint="Role, personality and communication style." />
      <div class="row">
        <SelectField<Gender> label="Gender" required value={gender} onChange={setGender} options={GENDERS.filter((g) => g.value !== '')} />
        <SelectField<string>
          label="Ethnicity"
          required
          value={ethnicity}
          onChange={setEthnicity}
          options={[{ value: '', label: 'Choose…' }, ...ethnicities.options.filter((o) => o.value !== '')]}
        />
        <SelectField<Version> label="Version" value={version} onChange={setVersion} options={VERSION_OPTIONS} />
      </div>
      <ErrorNote error={ethnicities.error} />
      <TextField label="External client id" required value={externalClientId} onInput={setExternalClientId} hint="Your own unique id for the person in this project: letters, digits, _ and -." />
      <MediaInput
        kind="voice"
        noun="voice recording"
        accept={ACCEPT.voice}
        source={voiceSource}
        onSource={setVoiceSource}
        url={voiceUrl}
        onUrl={setVoiceUrl}
        onFile={setVoiceFile}
        required
        hint="A recording of the person that starts with their spoken consent: mp3, wav, m4a, flac, ogg, webm or mp4; 60–300 s; at most 10 MB."
      />
      <MediaInput
        kind={likenessKind}
        noun={likenessKind}
        accept={ACCEPT[likenessKind]}
        source={likenessSource}
        onSource={setLikenessSource}
        url={likenessUrl}
        onUrl={setLikenessUrl}
        onFile={setLikenessFile}
        required
        hint={version === 'v1' ? 'A 16:9 picture of the person, waist up, facing the camera.' : 'A video of the person speaking, 5–120 s.'}
      />
      <UploadProgress progress={uploads.progress} files={{ voice: voiceFile, [likenessKind]: likenessFile }} />
      <UploadFailure failure={failure} />
      <p class="muted">If the check rejects a file (too short, wrong format…), upload a replacement on the twin’s page.</p>
    </Form>
  );
}

function CompanionDetail(props: { id: string }) {
  const projectId = useProjectId();
  const { isAdmin } = useWorkspace();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const { data: companion, error, reload } = useLoad(
    () => api<Json>('GET', `/public/companions/${encodeURIComponent(props.id)}`, { project: projectId }),
    [projectId, props.id],
    { refreshMs: 2000, keepPolling: (c) => !SETTLED.has(c.status) || c.voice?.status === 'pending' },
  );

  if (companion === undefined) {
    return (
      <>
        <PageHeader title="Companion" />
        <p>
          <a href={link('companions')}>Back to the companions</a>
        </p>
        {error === undefined ? <Loading what="the companion" /> : <ErrorNote error={error} />}
      </>
    );
  }

  const name = fullName(companion);
  const canChange = isAdmin && companion.stock !== true;
  const views = (['round', 'rectangle', 'silhouette'] as const).filter((v) => companion.avatar?.views?.[v] !== undefined);
  const media = Object.entries(companion.media ?? {}) as [MediaKind, Json][];
  const tags = Object.entries(companion.tags ?? {});

  return (
    <>
      <PageHeader title={name} description={companion.headline || undefined}>
        {canChange ? (
          <>
            <button type="button" onClick={() => setEditing(true)}>
              Edit companion
            </button>
            <ActionButton
              tone="danger"
              confirm={`Delete ${name}? Its files are deleted too${companion.personaType === 'digitalTwin' ? ' and its external client id becomes free again' : ''}.`}
              onClick={async () => {
                await api('DELETE', `/public/companions/${encodeURIComponent(companion.id)}`, { project: projectId, ifMatch: bareEtag(companion.etag) });
                navigate('companions');
              }}
            >
              Delete companion
            </ActionButton>
          </>
        ) : null}
      </PageHeader>
      <p>
        <a href={link('companions')}>Back to the companions</a>
      </p>
      <ErrorNote error={error} />
      {saved ? <Notice tone="success">The companion was saved.</Notice> : null}

      <Section title="Status">
        <dl class="companions-facts">
          <dt>Status</dt>
          <dd>
            <span role="status" aria-live="polite">
              <StatusBadge status={companion.status} />
              {SETTLED.has(companion.status) ? null : <span class="muted"> (checking for changes)</span>}
            </span>
          </dd>
          {companion.failureReason ? (
            <>
              <dt>Failure reason</dt>
              <dd>
                <code>{companion.failureReason}</code>
              </dd>
            </>
          ) : null}
          {companion.voice ? (
            <>
              <dt>Voice</dt>
              <dd>
                <StatusBadge status={companion.voice.status} />
                {companion.voice.failureReason ? <code> {companion.voice.failureReason}</code> : null}
              </dd>
            </>
          ) : null}
          {media.map(([kind, entry]) => (
            <Fragment key={kind}>
              <dt>{kind[0]!.toUpperCase() + kind.slice(1)} ({entry.source === 'url' ? 'from a URL' : 'uploaded'})</dt>
              <dd>
                <StatusBadge status={entry.status} />
                {entry.failureCode ? <code> {entry.failureCode}</code> : null}
                {entry.url ? <div class="companions-url">{entry.url}</div> : null}
              </dd>
            </Fragment>
          ))}
        </dl>
        {(companion.warnings ?? []).length > 0 ? (
          <ul class="companions-warnings">
            {(companion.warnings as Json[]).map((w) => (
              <li key={w.code}>
                <code>{w.code}</code>: {w.message}
              </li>
            ))}
          </ul>
        ) : null}
        {canChange ? <ReplaceMedia companion={companion} onUploaded={reload} /> : null}
      </Section>

      <Section title="Avatar">
        {companion.stock === true ? (
          <figure class="companions-view">
            <AuthImage class="companions-image" path={`/public/companions/stock/${encodeURIComponent(companion.id)}/preview`} alt={`Preview of ${name}`} />
            <figcaption>Preview</figcaption>
          </figure>
        ) : views.length === 0 && companion.previewUrl === undefined ? (
          <p class="muted">No avatar views yet{SETTLED.has(companion.status) ? '.' : ': they appear once generation completes.'}</p>
        ) : (
          <div class="companions-views">
            {companion.previewUrl !== undefined ? (
              <figure class="companions-view">
                <AuthImage class="companions-image" path={companion.previewUrl} alt={`Preview of ${name}`} />
                <figcaption>Preview</figcaption>
              </figure>
            ) : null}
            {views.map((view) => (
              <figure class="companions-view" key={view}>
                <AuthImage class="companions-image" path={companion.avatar.views[view].url} alt={`${view} view of ${name}`} />
                <figcaption>
                  {view[0]!.toUpperCase() + view.slice(1)} ({companion.avatar.views[view].width}×{companion.avatar.views[view].height})
                </figcaption>
              </figure>
            ))}
          </div>
        )}
      </Section>

      <Section title="Details">
        <dl class="companions-facts">
          <dt>Id</dt>
          <dd>
            <code>{companion.id}</code>
          </dd>
          <dt>Type</dt>
          <dd>{companion.personaType === 'digitalTwin' ? 'Digital twin' : 'Companion'}{companion.stock === true ? ' (stock, read-only)' : ''}</dd>
          <dt>First name</dt>
          <dd>{companion.firstName || '—'}</dd>
          <dt>Last name</dt>
          <dd>{companion.lastName || '—'}</dd>
          <dt>Headline</dt>
          <dd>{companion.headline || '—'}</dd>
          <dt>Description</dt>
          <dd class="companions-description">{companion.description}</dd>
          <dt>Gender</dt>
          <dd>{GENDERS.find((g) => g.value === companion.gender)?.label ?? companion.gender ?? '—'}</dd>
          <dt>Ethnicity</dt>
          <dd>{companion.ethnicity ?? '—'}</dd>
          <dt>Version</dt>
          <dd>{companion.version}</dd>
          {companion.externalClientId ? (
            <>
              <dt>External client id</dt>
              <dd>
                <code>{companion.externalClientId}</code>
              </dd>
            </>
          ) : null}
          <dt>Tags</dt>
          <dd>{tags.length === 0 ? '—' : tags.map(([k, v]) => <code key={k} class="companions-tag">{`${k}: ${v}`}</code>)}</dd>
          <dt>Created</dt>
          <dd>{formatDate(companion.created)}</dd>
          <dt>Updated</dt>
          <dd>{formatDate(companion.updated)}</dd>
        </dl>
      </Section>

      {canChange ? (
        <Dialog title="Edit companion" open={editing} onClose={() => setEditing(false)}>
          <EditCompanionForm
            companion={companion}
            onSaved={async () => {
              setEditing(false);
              setSaved(true);
              await reload();
            }}
          />
        </Dialog>
      ) : null}
    </>
  );
}

/** Tags as `key=value` lines, for editing. */
function tagsToText(tags: Record<string, string> | undefined): string {
  return Object.entries(tags ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

function textToTags(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) throw new Error(`The tag line "${trimmed}" needs the form key=value.`);
    tags[trimmed.slice(0, eq).trim()] = trimmed.slice(eq + 1).trim();
  }
  return tags;
}

function EditCompanionForm(props: { companion: Json; onSaved: () => Promise<void> }) {
  const projectId = useProjectId();
  const c = props.companion;
  const [firstName, setFirstName] = useState<string>(c.firstName ?? '');
  const [lastName, setLastName] = useState<string>(c.lastName ?? '');
  const [headline, setHeadline] = useState<string>(c.headline ?? '');
  const [description, setDescription] = useState<string>(c.description ?? '');
  const [tagsText, setTagsText] = useState(tagsToText(c.tags));
  return (
    <Form
      label="Edit companion"
      submitLabel="Save companion"
      onSubmit={async () => {
        const tags = textToTags(tagsText);
        const body: Record<string, unknown> = {};
        if (firstName !== (c.firstName ?? '')) body.firstName = firstName.trim();
        if (lastName !== (c.lastName ?? '')) body.lastName = lastName.trim();
        if (headline !== (c.headline ?? '')) body.headline = headline.trim();
        if (description !== (c.description ?? '')) body.description = description;
        if (tagsText.trim() !== tagsToText(c.tags)) body.tags = tags;
        if (Object.keys(body).length === 0) {
          await props.onSaved();
          return;
        }
        await api('PATCH', `/public/companions/${encodeURIComponent(c.id)}`, { project: projectId, body, ifMatch: bareEtag(c.etag) });
        await props.onSaved();
      }}
    >
      <div class="row">
        <TextField label="First name" value={firstName} onInput={setFirstName} />
        <TextField label="Last name" value={lastName} onInput={setLastName} />
      </div>
      <TextField label="Headline" value={headline} onInput={setHeadline} />
      <TextField label="Description" required multiline value={description} onInput={setDescription} />
      <TextField label="Tags" multiline rows={3} value={tagsText} onInput={setTagsText} hint="One key=value per line; they replace all tags." />
      <p class="muted">Gender, ethnicity, version and media are fixed at creation.</p>
    </Form>
  );
}

/**
 * A medium the companion still waits for as an upload, or one its check rejected, takes a new file (the server
 * answers 409 MediaUploadNotAccepted otherwise).
 */
function ReplaceMedia(props: { companion: Json; onUploaded: () => Promise<void> }) {
  const projectId = useProjectId();
  const c = props.companion;
  const open = c.status === 'pending' || c.status === 'failed';
  const kinds = (Object.entries(c.media ?? {}) as [MediaKind, Json][])
    .filter(([, entry]) => entry.status === 'rejected' || (entry.source === 'upload' && entry.status === 'awaiting'))
    .map(([kind]) => kind);
  const [kind, setKind] = useState<MediaKind | undefined>(kinds[0]);
  const [file, setFile] = useState<File>();
  const [progress, setProgress] = useState<number>();
  const [done, setDone] = useState(false);
  if (!open || kinds.length === 0) return null;
  const chosen = kind !== undefined && kinds.includes(kind) ? kind : kinds[0]!;
  return (
    <div class="companions-replace">
      <h3>Upload a new file</h3>
      <Form
        label="Upload a new file"
        submitLabel="Upload file"
        onSubmit={async () => {
          setDone(false);
          if (file === undefined) throw new Error('Choose a file.');
          setProgress(0);
          await uploadMedia(projectId, c.id, chosen, file, setProgress);
          setDone(true);
          await props.onUploaded();
        }}
      >
        {kinds.length > 1 ? (
          <SelectField<MediaKind> label="Medium" value={chosen} onChange={setKind} options={kinds.map((k) => ({ value: k, label: k }))} />
        ) : (
          <p>
            The {chosen} {c.media[chosen].status === 'rejected' ? 'was rejected' : 'waits for its file'}: upload a file to go on.
          </p>
        )}
        <FileField label={`${chosen[0]!.toUpperCase()}${chosen.slice(1)} file`} required accept={ACCEPT[chosen]} onChange={(files) => setFile(files[0])} hint={file === undefined ? undefined : formatBytes(file.size)} />
        {progress === undefined ? null : <ProgressBar value={progress} label={`Uploading ${file?.name ?? chosen}`} />}
        {done ? <Notice tone="success">The file was uploaded; it is checked now.</Notice> : null}
      </Form>
    </div>
  );
}

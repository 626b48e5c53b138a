/**
 * The dashboard's building blocks. Every control has a visible label, status changes are announced (role=status or
 * alert), dialogs are native <dialog> elements (focus kept inside, Escape closes), and tables scroll sideways on a
 * narrow screen.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from './api';

export function PageHeader(props: { title: string; children?: ComponentChildren; description?: string }) {
  useEffect(() => {
    document.title = `${props.title} · Companion API`;
  }, [props.title]);
  return (
    <header class="page-header">
      <div>
        <h1 id="page-title" tabIndex={-1}>{props.title}</h1>
        {props.description === undefined ? null : <p class="muted">{props.description}</p>}
      </div>
      {props.children === undefined ? null : <div class="actions">{props.children}</div>}
    </header>
  );
}

export function Section(props: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="card" aria-label={props.title}>
      <div class="card-header">
        <h2>{props.title}</h2>
        {props.actions}
      </div>
      {props.children}
    </section>
  );
}

/** An error for the user, announced to screen readers. */
export function ErrorNote(props: { error: unknown }) {
  if (props.error === undefined || props.error === null) return null;
  return (
    <p class="note error" role="alert">
      {describeError(props.error)}
    </p>
  );
}

export function Notice(props: { children: ComponentChildren; tone?: 'info' | 'success' | 'warning' }) {
  return (
    <p class={`note ${props.tone ?? 'info'}`} role="status">
      {props.children}
    </p>
  );
}

export function Loading(props: { what?: string }) {
  return (
    <p class="muted" role="status" aria-live="polite">
      Loading{props.what === undefined ? '' : ` ${props.what}`}…
    </p>
  );
}

let fieldCounter = 0;
const useFieldId = (): string => useRef(`field-${++fieldCounter}`).current;

interface FieldProps {
  readonly label: string;
  readonly hint?: string;
  readonly required?: boolean;
}

export function TextField(
  props: FieldProps & { value: string; onInput: (value: string) => void; type?: string; placeholder?: string; multiline?: boolean; rows?: number; autoComplete?: string; name?: string },
) {
  const id = useFieldId();
  const hintId = props.hint === undefined ? undefined : `${id}-hint`;
  const common = {
    id,
    name: props.name ?? id,
    value: props.value,
    required: props.required,
    placeholder: props.placeholder,
    'aria-describedby': hintId,
    onInput: (event: JSX.TargetedEvent<HTMLInputElement | HTMLTextAreaElement>) => props.onInput(event.currentTarget.value),
  };
  return (
    <div class="field">
      <label for={id}>
        {props.label}
        {props.required ? <span aria-hidden="true"> *</span> : null}
      </label>
      {props.multiline ? <textarea {...common} rows={props.rows ?? 4} /> : <input {...common} type={props.type ?? 'text'} autoComplete={props.autoComplete ?? 'off'} />}
      {hintId === undefined ? null : <small id={hintId} class="muted">{props.hint}</small>}
    </div>
  );
}

export function SelectField<T extends string>(
  props: FieldProps & { value: T; onChange: (value: T) => void; options: readonly { value: T; label: string }[] },
) {
  const id = useFieldId();
  return (
    <div class="field">
      <label for={id}>
        {props.label}
        {props.required ? <span aria-hidden="true"> *</span> : null}
      </label>
      <select id={id} value={props.value} required={props.required} onChange={(event) => props.onChange(event.currentTarget.value as T)}>
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {props.hint === undefined ? null : <small class="muted">{props.hint}</small>}
    </div>
  );
}

export function CheckboxField(props: { label: string; checked: boolean; onChange: (checked: boolean) => void; hint?: string }) {
  const id = useFieldId();
  return (
    <div class="field checkbox">
      <input id={id} type="checkbox" checked={props.checked} onChange={(event) => props.onChange(event.currentTarget.checked)} />
      <label for={id}>{props.label}</label>
      {props.hint === undefined ? null : <small class="muted">{props.hint}</small>}
    </div>
  );
}

export function FileField(props: FieldProps & { accept?: string; multiple?: boolean; onChange: (files: File[]) => void }) {
  const id = useFieldId();
  return (
    <div class="field">
      <label for={id}>
        {props.label}
        {props.required ? <span aria-hidden="true"> *</span> : null}
      </label>
      <input id={id} type="file" accept={props.accept} multiple={props.multiple} onChange={(event) => props.onChange([...(event.currentTarget.files ?? [])])} />
      {props.hint === undefined ? null : <small class="muted">{props.hint}</small>}
    </div>
  );
}

/** An asynchronous action run once at a time: whether it runs, and the error of its last run. */
function useAsyncAction(action: () => Promise<void>): { busy: boolean; error: unknown; run: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = (): void => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    action()
      .catch(setError)
      .finally(() => setBusy(false));
  };
  return { busy, error, run };
}

/** A form that runs `onSubmit` once at a time, shows its error, and disables its submit button meanwhile. */
export function Form(props: { onSubmit: () => Promise<void>; submitLabel: string; children: ComponentChildren; secondary?: ComponentChildren; label?: string }) {
  const { busy, error, run } = useAsyncAction(props.onSubmit);
  return (
    <form
      class="form"
      aria-label={props.label}
      onSubmit={(event) => {
        event.preventDefault();
        run();
      }}
    >
      {props.children}
      <ErrorNote error={error} />
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Working…' : props.submitLabel}
        </button>
        {props.secondary}
      </div>
    </form>
  );
}

/** A button whose action is asynchronous: disabled while it runs, its error shown beside it. */
export function ActionButton(props: { onClick: () => Promise<void>; children: ComponentChildren; tone?: 'primary' | 'danger' | 'plain'; confirm?: string; label?: string; disabled?: boolean }) {
  const { busy, error, run } = useAsyncAction(props.onClick);
  return (
    <span class="action">
      <button
        type="button"
        class={props.tone ?? 'plain'}
        aria-label={props.label}
        disabled={busy || props.disabled}
        aria-busy={busy}
        onClick={() => {
          if (props.confirm !== undefined && !confirm(props.confirm)) return;
          run();
        }}
      >
        {props.children}
      </button>
      <ErrorNote error={error} />
    </span>
  );
}

/** A modal dialog: the native <dialog> keeps focus inside and closes on Escape. */
export function Dialog(props: { title: string; open: boolean; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useFieldId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={props.onClose} class="dialog">
      <div class="dialog-header">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" class="plain" aria-label="Close" onClick={props.onClose}>
          ×
        </button>
      </div>
      {props.open ? props.children : null}
    </dialog>
  );
}

/** Copies a value to the clipboard and says so, or says to copy it by hand where the browser refuses. */
export function CopyButton(props: { value: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <>
      <button
        type="button"
        class="plain"
        onClick={() => {
          // The Clipboard API exists only in secure contexts (https, or localhost).
          const clipboard = (navigator as Partial<Navigator>).clipboard;
          if (clipboard === undefined) {
            setState('failed');
            return;
          }
          clipboard.writeText(props.value).then(
            () => setState('copied'),
            () => setState('failed'),
          );
        }}
      >
        {props.label ?? 'Copy'}
      </button>
      <span role="status" class="muted">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'The browser did not allow copying: select the text and copy it.' : ''}
      </span>
    </>
  );
}

/** A secret shown once: readable, selectable, with a copy button and a warning. */
export function SecretOnce(props: { label: string; value: string }) {
  return (
    <div class="secret" role="status">
      <p>
        <strong>{props.label}</strong> — copy it now: it is shown only once.
      </p>
      <code class="secret-value" data-testid="secret-value">
        {props.value}
      </code>
      <CopyButton value={props.value} />
    </div>
  );
}

export function ProgressBar(props: { value: number; label: string }) {
  const percent = Math.round(Math.max(0, Math.min(1, props.value)) * 100);
  return (
    <div class="progress">
      <progress max={100} value={percent} aria-label={props.label} />
      <span class="muted">{percent}%</span>
    </div>
  );
}

const STATUS_TONES: Readonly<Record<string, string>> = {
  ready: 'success',
  readyToUse: 'success',
  completed: 'success',
  delivered: 'success',
  accepted: 'success',
  active: 'success',
  started: 'success',
  ok: 'success',
  failed: 'danger',
  error: 'danger',
  revoked: 'danger',
  closed: 'neutral',
  pending: 'warning',
  processing: 'warning',
  uploading: 'warning',
  generationCompleted: 'warning',
};

export function StatusBadge(props: { status: string | undefined }) {
  const status = props.status ?? 'unknown';
  return <span class={`badge ${STATUS_TONES[status] ?? 'neutral'}`}>{status}</span>;
}

/** A table that scrolls sideways on a narrow screen, with a caption for screen readers. */
export function Table(props: { caption: string; headers: readonly string[]; children: ComponentChildren; empty?: string; rows: number }) {
  if (props.rows === 0) return <p class="muted">{props.empty ?? 'Nothing here yet.'}</p>;
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={props.caption}>
      <table>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            {props.headers.map((header) => (
              <th scope="col" key={header}>
                {header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

export function Pager(props: { pageIndex: number; pageSize: number; filteredCount: number; onPage: (pageIndex: number) => void }) {
  const pages = Math.max(1, Math.ceil(props.filteredCount / props.pageSize));
  if (pages <= 1) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" class="plain" disabled={props.pageIndex === 0} onClick={() => props.onPage(props.pageIndex - 1)}>
        Previous
      </button>
      <span>
        Page {props.pageIndex + 1} of {pages}
      </span>
      <button type="button" class="plain" disabled={props.pageIndex + 1 >= pages} onClick={() => props.onPage(props.pageIndex + 1)}>
        Next
      </button>
    </nav>
  );
}

/**
 * Loads data and reloads it on demand; `refreshMs` polls while `keepPolling` says so (a status that is still
 * changing). Returns the data, the error and a reload function.
 */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
  options: { refreshMs?: number; keepPolling?: (value: T) => boolean } = {},
): { data: T | undefined; error: unknown; reload: () => Promise<void> } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(async () => {
    try {
      setData(await loadRef.current());
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }, []);
  useEffect(() => {
    setData(undefined);
    void reload();
    // The callers name the inputs their load reads.
  }, deps);
  useEffect(() => {
    if (options.refreshMs === undefined || data === undefined) return;
    if (options.keepPolling !== undefined && !options.keepPolling(data)) return;
    const timer = setTimeout(() => void reload(), options.refreshMs);
    return () => clearTimeout(timer);
  }, [data, options.refreshMs]);
  return { data, error, reload };
}

export function formatDate(iso: string | undefined | null): string {
  if (iso === undefined || iso === null) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '—';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function formatMoney(amount: number | undefined, currency = 'USD'): string {
  if (amount === undefined) return '—';
  return new Intl.NumberFormat(undefined, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(amount);
}

/** Shown instead of an admin-only page to a member. */
export function AdminOnly() {
  return (
    <div class="card" role="alert">
      <h1>Admins only</h1>
      <p>This page is for organization admins. Ask an admin of your organization if you need access.</p>
    </div>
  );
}

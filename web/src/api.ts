/**
 * The backend's HTTP API as the dashboard calls it: `/manage` with the signed-in user's bearer token, and a project's
 * `/public` routes with the same token and the project in `X-Project-Id` (members read and use the Playground; admins
 * change things). Errors arrive as problem+json and become ApiError with the stable `code`.
 */
import { currentToken, signOutExpired } from './auth';

export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: readonly FieldProblem[] = [],
  ) {
    super(detail);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field by the pages
export type Json = any;

export interface Page<T> {
  readonly items: T[];
  readonly filteredCount: number;
  readonly totalCount: number;
  readonly pageIndex: number;
  readonly pageSize: number;
}

export interface RequestOptions {
  /** The project whose `/public` routes are called. */
  readonly project?: string | undefined;
  readonly body?: unknown;
  readonly ifMatch?: string | undefined;
  /** A session token instead of the user's token (the session runtime routes). */
  readonly sessionToken?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

async function problemOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const problem = JSON.parse(text) as { code?: string; detail?: string; title?: string; errors?: FieldProblem[] };
    return new ApiError(response.status, problem.code ?? `Http${response.status}`, problem.detail ?? problem.title ?? response.statusText, problem.errors ?? []);
  } catch {
    return new ApiError(response.status, `Http${response.status}`, response.statusText || 'The request failed.');
  }
}

async function headersFor(options: RequestOptions): Promise<Record<string, string>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = options.sessionToken ?? (await currentToken());
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (options.project !== undefined && options.sessionToken === undefined) headers['x-project-id'] = options.project;
  // Bodies carry ETags quoted already (RFC 9110 entity tags); a bare one is quoted here.
  if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch.startsWith('"') ? options.ifMatch : `"${options.ifMatch}"`;
  return headers;
}

/** One call; resolves with the parsed JSON body (undefined for 204), rejects with ApiError. */
export async function api<T = Json>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers = await headersFor(options);
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) body = options.body;
  else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(path.startsWith('/') ? path : `/${path}`, { method, headers, body, signal: options.signal ?? null });
  if (!response.ok) {
    const error = await problemOf(response);
    if (response.status === 401 && options.sessionToken === undefined) signOutExpired();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** A binary resource (a companion's picture) as an object URL; the caller revokes it. */
export async function blobUrl(path: string, options: RequestOptions = {}): Promise<string> {
  const response = await fetch(path, { headers: await headersFor(options) });
  if (!response.ok) throw await problemOf(response);
  return URL.createObjectURL(await response.blob());
}

/** The query string of a list call: arrays repeat their key. */
export function query(params: Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) for (const v of value) search.append(key, String(v));
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * A file upload with progress (fetch cannot report upload progress): multipart to a `/public` route, or a PUT of the
 * raw file to a short-lived upload URL. Resolves with the JSON answer.
 */
export async function upload<T = Json>(
  method: 'POST' | 'PUT',
  url: string,
  body: FormData | Blob,
  onProgress: (fraction: number) => void,
  options: RequestOptions & { readonly extraHeaders?: Readonly<Record<string, string>> } = {},
): Promise<T> {
  const headers = url.startsWith('/') ? await headersFor(options) : {};
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries({ ...headers, ...options.extraHeaders })) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'NetworkError', 'The upload did not reach the server.'));
    xhr.onload = () => {
      onProgress(1);
      const text = xhr.responseText;
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve((text === '' ? undefined : JSON.parse(text)) as T);
        return;
      }
      void problemOf(new Response(text, { status: xhr.status, statusText: xhr.statusText })).then(reject);
    };
    xhr.send(body);
  });
}

/** A human sentence for an error, with its stable code. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    return `${error.detail}${fields === '' ? '' : ` (${fields})`} [${error.code}]`;
  }
  return error instanceof Error ? error.message : String(error);
}

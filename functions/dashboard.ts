import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { app } from './registration.js';

/**
 * The dashboard and Playground: the single-page app that `npm run build` makes with Vite into `dist/admin`, served
 * under `/dashboard/` and, locally, also under `/admin/`. The Functions host in Azure reserves every route that starts
 * with `admin` for its own admin API (a function with such a route fails to load there), so the deployed entry leaves
 * the `/admin/` route out (local/build-lazy-entry.ts). The app's asset paths are relative, so it runs under either.
 * `config.json` tells it how to sign in (Entra ID through MSAL, and locally the dev admin token). Built files are read
 * once per instance and kept with their gzip form; hashed assets are cached for a year.
 */

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

function findDashboardRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'dist', 'admin');
    const parent = path.dirname(dir);
    if (parent === dir) return path.join(process.cwd(), 'dist', 'admin');
    dir = parent;
  }
}

const ROOT = findDashboardRoot();

interface StaticFile {
  readonly body: Buffer;
  readonly gzipped: Buffer | undefined;
  readonly contentType: string;
}

const files = new Map<string, Promise<StaticFile | undefined>>();

function load(relative: string): Promise<StaticFile | undefined> {
  let file = files.get(relative);
  if (file === undefined) {
    file = (async () => {
      const ext = path.extname(relative);
      const contentType = CONTENT_TYPES[ext];
      if (contentType === undefined) return undefined;
      try {
        const body = await readFile(path.join(ROOT, relative));
        const compressible = !contentType.startsWith('image/png') && body.length > 1024;
        return { body, gzipped: compressible ? gzipSync(body, { level: 9 }) : undefined, contentType };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
        throw error;
      }
    })();
    files.set(relative, file);
  }
  return file;
}

/** `a/b.js` from the route's path, or undefined when it would leave the dashboard's folder. */
function relativePathOf(raw: string | undefined): string | undefined {
  const requested = (raw ?? '').replace(/^\/+/, '');
  if (requested === '') return 'index.html';
  if (requested.includes('\\') || requested.includes('\0')) return undefined;
  const normal = path.posix.normalize(requested);
  if (normal.startsWith('..') || path.posix.isAbsolute(normal)) return undefined;
  return normal;
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

function problem(status: number, code: string, title: string, detail: string): HttpResponseInit {
  return {
    status,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' },
    body: JSON.stringify({ type: 'about:blank', title, status, detail, code }),
  };
}

/**
 * Everything from the service itself; besides, sign-in at the Entra ID authority, uploads straight to storage, and the
 * Playground's voice calls to the platform's realtime model (WebRTC, its SDP exchange over HTTPS).
 */
function contentSecurityPolicy(authority: string | undefined, blobServiceUrl: string, realtimeEndpoint: string | undefined): string {
  const signIn = authority === undefined ? '' : ` ${new URL(authority).origin}`;
  const realtime = realtimeEndpoint === undefined ? '' : ` ${new URL(realtimeEndpoint).origin}`;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    `connect-src 'self'${signIn} ${new URL(blobServiceUrl).origin}${realtime}`,
    `frame-src 'self'${signIn}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

interface DashboardConfig {
  readonly devToken: boolean;
  readonly entra: { readonly clientId: string; readonly authority: string; readonly scopes: readonly string[] } | null;
}

async function dashboardSettings(): Promise<{ config: DashboardConfig; blobServiceUrl: string; realtimeEndpoint: string | undefined }> {
  const { getRuntime } = await import('../shared/runtime.js');
  const { config, blobServiceUrl } = await getRuntime();
  return {
    config: { devToken: config.devAdminToken !== undefined, entra: config.dashboard.entra ?? null },
    blobServiceUrl,
    // The dashboard's sessions are platform-hosted: their realtime calls go to the platform's resource.
    realtimeEndpoint: config.openai?.realtimeDeployment === undefined ? undefined : config.openai.endpoint,
  };
}

export async function serveDashboard(request: HttpRequest): Promise<HttpResponseInit> {
  // `/dashboard` without its slash: the app's relative asset paths need the folder form.
  const url = new URL(request.url);
  if ((request.params['path'] ?? '') === '' && !url.pathname.endsWith('/')) {
    return { status: 301, headers: { ...SECURITY_HEADERS, Location: `${url.pathname}/${url.search}`, 'Cache-Control': 'no-cache' } };
  }
  const relative = relativePathOf(request.params['path']);
  if (relative === undefined) return problem(404, 'NotFound', 'Not found', 'There is no such file.');
  if (relative === 'config.json') {
    const { config } = await dashboardSettings();
    return {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
      body: JSON.stringify(config),
    };
  }
  // Paths without an extension are the app's own pages: the app's index answers them.
  const isPage = path.posix.extname(relative) === '';
  const file = await load(isPage ? 'index.html' : relative);
  if (file === undefined) {
    if ((await load('index.html')) === undefined) {
      return problem(503, 'DashboardNotBuilt', 'Service unavailable', 'The dashboard has not been built (npm run build makes dist/admin).');
    }
    return problem(404, 'NotFound', 'Not found', 'There is no such file.');
  }
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    'Content-Type': file.contentType,
    'Cache-Control': relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    Vary: 'Accept-Encoding',
  };
  if (file.contentType.startsWith('text/html')) {
    const { config, blobServiceUrl, realtimeEndpoint } = await dashboardSettings();
    headers['Content-Security-Policy'] = contentSecurityPolicy(config.entra?.authority, blobServiceUrl, realtimeEndpoint);
  }
  const gzip = file.gzipped !== undefined && /\bgzip\b/.test(request.headers.get('accept-encoding') ?? '');
  if (gzip) headers['Content-Encoding'] = 'gzip';
  const body = gzip ? file.gzipped : file.body;
  headers['Content-Length'] = String(body?.length ?? 0);
  return { status: 200, headers, body: request.method === 'HEAD' ? undefined : body };
}

app.http('dashboard', {
  route: 'dashboard/{*path}',
  methods: ['GET', 'HEAD'],
  authLevel: 'anonymous',
  handler: serveDashboard,
});

// Locally only (see above): the address the product documents. The name must not start with `admin` either.
app.http('dashboard-at-admin', {
  route: 'admin/{*path}',
  methods: ['GET', 'HEAD'],
  authLevel: 'anonymous',
  handler: serveDashboard,
});

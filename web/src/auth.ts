/**
 * Sign-in. In Azure the dashboard signs in with Entra ID through MSAL (redirect flow, tokens for the management API's
 * scope); locally, with the dev admin token that `npm start` prints, or any other bearer token `/manage` accepts.
 * MSAL is loaded only when Entra ID sign-in is configured, so the local dashboard never downloads it.
 */
import type { IPublicClientApplication, AccountInfo } from '@azure/msal-browser';

export interface DashboardConfig {
  readonly devToken: boolean;
  readonly entra: { readonly clientId: string; readonly authority: string; readonly scopes: readonly string[] } | null;
}

const TOKEN_KEY = 'companion.dashboard.token';

type Listener = () => void;
const listeners = new Set<Listener>();
let config: DashboardConfig = { devToken: false, entra: null };
let msal: { app: IPublicClientApplication; account: AccountInfo | undefined } | undefined;

export function onAuthChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const notify = (): void => listeners.forEach((listener) => listener());

export function dashboardConfig(): DashboardConfig {
  return config;
}

async function loadMsal(entra: NonNullable<DashboardConfig['entra']>): Promise<void> {
  const { PublicClientApplication } = await import('@azure/msal-browser');
  const app = new PublicClientApplication({
    auth: {
      clientId: entra.clientId,
      authority: entra.authority,
      knownAuthorities: [new URL(entra.authority).host],
      redirectUri: dashboardAddress(),
      postLogoutRedirectUri: dashboardAddress(),
    },
    cache: { cacheLocation: 'sessionStorage' },
  });
  await app.initialize();
  const result = await app.handleRedirectPromise();
  msal = { app, account: result?.account ?? app.getAllAccounts()[0] };
}

/** The app's own folder (`https://host/dashboard/`): the redirect URI registered for it in Entra ID. */
function dashboardAddress(): string {
  return `${location.origin}${location.pathname.replace(/[^/]*$/, '')}`;
}

/** Reads `config.json` beside the app and finishes an Entra ID sign-in that has just come back. */
export async function initAuth(): Promise<DashboardConfig> {
  const response = await fetch('config.json', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`The dashboard's configuration did not load (${response.status}).`);
  config = (await response.json()) as DashboardConfig;
  if (config.entra !== null) await loadMsal(config.entra);
  return config;
}

export function isSignedIn(): boolean {
  return sessionStorage.getItem(TOKEN_KEY) !== null || msal?.account !== undefined;
}

/** The bearer token for `/manage` and the dashboard's `/public` calls, refreshed silently when MSAL holds it. */
export async function currentToken(): Promise<string | undefined> {
  const stored = sessionStorage.getItem(TOKEN_KEY);
  if (stored !== null) return stored;
  if (msal?.account === undefined || config.entra === null) return undefined;
  const request = { scopes: [...config.entra.scopes], account: msal.account };
  try {
    return (await msal.app.acquireTokenSilent(request)).accessToken;
  } catch {
    await msal.app.acquireTokenRedirect(request);
    return undefined;
  }
}

/** Signs in with a bearer token (locally the dev admin token), once `/manage/me` has accepted it. */
export async function signInWithToken(token: string): Promise<void> {
  const response = await fetch('/manage/me', { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  if (!response.ok) throw new Error(response.status === 401 ? 'That token was not accepted.' : `Sign-in failed (${response.status}).`);
  sessionStorage.setItem(TOKEN_KEY, token);
  notify();
}

export async function signInWithEntra(): Promise<void> {
  if (msal === undefined || config.entra === null) throw new Error('Entra ID sign-in is not configured.');
  await msal.app.loginRedirect({ scopes: [...config.entra.scopes] });
}

export async function signOut(): Promise<void> {
  sessionStorage.removeItem(TOKEN_KEY);
  if (msal?.account !== undefined) {
    const account = msal.account;
    msal.account = undefined;
    notify();
    await msal.app.logoutRedirect({ account });
    return;
  }
  notify();
}

/** A 401 from the API: the token expired or was revoked. */
export function signOutExpired(): void {
  if (sessionStorage.getItem(TOKEN_KEY) !== null) {
    sessionStorage.removeItem(TOKEN_KEY);
    notify();
  }
}

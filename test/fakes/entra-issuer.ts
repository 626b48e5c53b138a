import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type CryptoKey } from 'jose';
import { loopbackCertificate } from './loopback-certificate.js';

/**
 * A local stand-in for Microsoft Entra ID that speaks its wire protocol: the OpenID configuration document,
 * the JWKS key set and the v2.0 token endpoint (client credentials), with tokens signed by real RSA keys.
 * Tests use it to drive the real token-validation code. With `tls` it also serves what a single-page app's sign-in
 * needs (MSAL only talks to https authorities): the authorization endpoint of the authorization-code flow with PKCE,
 * which signs in the user named by `signInAs` at once, and the token endpoint's `authorization_code` and
 * `refresh_token` grants, with CORS as Entra ID answers a SPA.
 */

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface UserTokenOptions {
  readonly oid: string;
  readonly audience: string;
  readonly email?: string;
  readonly name?: string;
  readonly expiresInSeconds?: number;
  /** Sign with a key the key set does not publish (a forged token). */
  readonly signWithUnpublishedKey?: boolean;
  readonly issuer?: string;
  readonly extraClaims?: Record<string, unknown>;
}

/** An application's (app-only) token, as Entra issues for client credentials: no user, `appid`/`azp` name the caller. */
export interface AppTokenOptions {
  readonly audience: string;
  /** The calling application's id (`appid`, `azp`, `oid`, `sub`). */
  readonly appId: string;
  /** The `tid` claim; the issuer's own tenant by default. */
  readonly tenantId?: string;
  readonly issuer?: string;
  readonly expiresInSeconds?: number;
  readonly signWithUnpublishedKey?: boolean;
}

/** The user the authorization endpoint signs in (an interactive sign-in that has already happened). */
export interface SignedInUser {
  readonly oid: string;
  readonly name?: string;
  readonly email?: string;
}

export interface FakeEntraIssuerOptions {
  /** Serve https with a self-signed certificate for 127.0.0.1 (its PEM is `caCertPem`). */
  readonly tls?: boolean;
}

export interface FakeEntraIssuer {
  readonly tenantId: string;
  /** The self-signed certificate's PEM, with `tls` (for NODE_EXTRA_CA_CERTS). */
  readonly caCertPem: string | undefined;
  /** Who the authorization endpoint signs in from now on; without one it answers `interaction_required`. */
  signInAs(user: SignedInUser | undefined): void;
  /** The published key set, as the JWKS endpoint serves it (for fakes that check this issuer's tokens in process). */
  publicKeys(): { keys: JWK[] };
  /** Authorization requests and code redemptions so far. */
  signIns(): { readonly authorizeRequests: number; readonly codesRedeemed: number };
  /** The v2.0 issuer, as `MANAGE_AUTH_ISSUER` names it. */
  readonly issuer: string;
  readonly baseUrl: string;
  readonly jwksUrl: string;
  /** Registers a confidential client for the token endpoint. */
  addClient(clientId: string, clientSecret: string): void;
  issueUserToken(options: UserTokenOptions): Promise<string>;
  /** An app-only token such as the Marketplace presents to a publisher's webhook. */
  issueAppToken(options: AppTokenOptions): Promise<string>;
  /** Publishes a new signing key and signs with it from now on; the old key stays published. */
  rotateKey(): Promise<void>;
  requests(): number;
  close(): Promise<void>;
}

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
  return { kid, privateKey, publicJwk };
}

interface IssuedCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly nonce: string | undefined;
  readonly scope: string;
  readonly user: SignedInUser;
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** The access token's audience for a scope: `api://<app>/.default` and `<app>/<name>` give `<app>`. */
function audienceOfScopes(scopes: readonly string[]): string | undefined {
  const resource = scopes.find((scope) => !['openid', 'profile', 'offline_access', 'email'].includes(scope));
  if (resource === undefined) return undefined;
  return resource.replace(/^api:\/\//, '').replace(/\/[^/]*$/, '');
}

export async function startFakeEntraIssuer(tenantId: string = randomUUID(), options: FakeEntraIssuerOptions = {}): Promise<FakeEntraIssuer> {
  const keys: SigningKey[] = [await newSigningKey()];
  const unpublished = await newSigningKey();
  const clients = new Map<string, string>();
  let requestCount = 0;
  let baseUrl = '';
  let signedIn: SignedInUser | undefined;
  const codes = new Map<string, IssuedCode>();
  const refreshTokens = new Map<string, { clientId: string; scope: string; user: SignedInUser }>();
  let authorizeRequests = 0;
  let codesRedeemed = 0;

  const current = (): SigningKey => keys[keys.length - 1] as SigningKey;
  const issuerUrl = (): string => `${baseUrl}/${tenantId}/v2.0`;

  const sign = async (claims: Record<string, unknown>, key: SigningKey, expiresIn: number): Promise<string> =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
      .setIssuedAt()
      .setNotBefore(Math.floor(Date.now() / 1000) - 5)
      .setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn)
      .sign(key.privateKey);

  const readForm = async (req: http.IncomingMessage): Promise<URLSearchParams> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  };

  const json = (res: http.ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const tls = options.tls ? await loopbackCertificate() : undefined;
  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    requestCount += 1;
    const url = new URL(req.url ?? '/', baseUrl);
    const prefix = `/${tenantId}`;
    // A single-page app reads the configuration and calls the token endpoint from the browser: Entra ID answers with CORS.
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
    if (req.method === 'GET' && url.pathname === `${prefix}/v2.0/.well-known/openid-configuration`) {
      json(res, 200, {
        issuer: issuerUrl(),
        jwks_uri: `${baseUrl}${prefix}/discovery/v2.0/keys`,
        token_endpoint: `${baseUrl}${prefix}/oauth2/v2.0/token`,
        authorization_endpoint: `${baseUrl}${prefix}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${baseUrl}${prefix}/oauth2/v2.0/logout`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        code_challenge_methods_supported: ['S256'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'token id_token'],
        subject_types_supported: ['pairwise'],
        tenant_region_scope: 'EU',
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === `${prefix}/discovery/v2.0/keys`) {
      json(res, 200, { keys: keys.map((k) => k.publicJwk) });
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'content-type',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    if (req.method === 'GET' && url.pathname === `${prefix}/oauth2/v2.0/logout`) {
      signedIn = undefined;
      const back = url.searchParams.get('post_logout_redirect_uri');
      res.writeHead(back === null ? 200 : 302, back === null ? { 'content-type': 'text/plain' } : { location: back });
      res.end(back === null ? 'signed out' : undefined);
      return;
    }
    if (req.method === 'GET' && url.pathname === `${prefix}/oauth2/v2.0/authorize`) {
      authorizeRequests += 1;
      const redirectUri = url.searchParams.get('redirect_uri') ?? '';
      const responseMode = url.searchParams.get('response_mode') ?? 'fragment';
      const answer = (params: Record<string, string>): void => {
        const encoded = new URLSearchParams(params).toString();
        if (responseMode === 'form_post') {
          const fields = Object.entries(params)
            .map(([name, value]) => `<input type="hidden" name="${name}" value="${value.replace(/"/g, '&quot;')}">`)
            .join('');
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end(`<form method="post" action="${redirectUri}">${fields}</form><script>document.forms[0].submit()</script>`);
          return;
        }
        res.writeHead(302, { location: `${redirectUri}${responseMode === 'query' ? '?' : '#'}${encoded}` });
        res.end();
      };
      const state = url.searchParams.get('state') ?? '';
      if (url.searchParams.get('response_type') !== 'code' || url.searchParams.get('code_challenge_method') !== 'S256' || !url.searchParams.get('code_challenge')) {
        answer({ error: 'invalid_request', error_description: 'AADSTS9002325: Proof Key for Code Exchange is required.', state });
        return;
      }
      if (signedIn === undefined) {
        answer({ error: 'interaction_required', error_description: 'AADSTS50058: no user is signed in.', state });
        return;
      }
      const code = base64url(randomBytes(24));
      codes.set(code, {
        clientId: url.searchParams.get('client_id') ?? '',
        redirectUri,
        codeChallenge: url.searchParams.get('code_challenge') ?? '',
        nonce: url.searchParams.get('nonce') ?? undefined,
        scope: url.searchParams.get('scope') ?? '',
        user: signedIn,
      });
      answer({ code, state, client_info: base64url(JSON.stringify({ uid: signedIn.oid, utid: tenantId })) });
      return;
    }
    if (req.method === 'POST' && url.pathname === `${prefix}/oauth2/v2.0/token`) {
      void readForm(req).then(async (form) => {
        const clientId = form.get('client_id') ?? '';
        const secret = form.get('client_secret') ?? '';
        const grant = form.get('grant_type');
        if (grant === 'authorization_code' || grant === 'refresh_token') {
          let granted: { clientId: string; scope: string; user: SignedInUser; nonce?: string | undefined } | undefined;
          if (grant === 'authorization_code') {
            const issued = codes.get(form.get('code') ?? '');
            codes.delete(form.get('code') ?? '');
            const verifier = form.get('code_verifier') ?? '';
            const challenge = base64url(createHash('sha256').update(verifier).digest());
            if (issued === undefined || issued.clientId !== clientId || issued.redirectUri !== form.get('redirect_uri') || issued.codeChallenge !== challenge) {
              json(res, 400, { error: 'invalid_grant', error_description: 'AADSTS70008: The provided authorization code or PKCE verifier is invalid.' });
              return;
            }
            codesRedeemed += 1;
            granted = { ...issued };
          } else {
            const stored = refreshTokens.get(form.get('refresh_token') ?? '');
            if (stored === undefined || stored.clientId !== clientId) {
              json(res, 400, { error: 'invalid_grant', error_description: 'AADSTS700082: The refresh token has expired.' });
              return;
            }
            granted = stored;
          }
          const scopes = (form.get('scope') ?? granted.scope).split(' ').filter((scope) => scope !== '');
          const audience = audienceOfScopes(scopes) ?? clientId;
          const user = granted.user;
          const userClaims = {
            iss: issuerUrl(),
            tid: tenantId,
            oid: user.oid,
            sub: user.oid,
            ver: '2.0',
            ...(user.name === undefined ? {} : { name: user.name }),
            ...(user.email === undefined ? {} : { preferred_username: user.email, email: user.email }),
          };
          const refreshToken = base64url(randomBytes(24));
          refreshTokens.set(refreshToken, { clientId, scope: granted.scope, user });
          json(res, 200, {
            token_type: 'Bearer',
            scope: scopes.filter((scope) => !['openid', 'profile', 'offline_access'].includes(scope)).join(' '),
            expires_in: 3599,
            ext_expires_in: 3599,
            access_token: await sign({ ...userClaims, aud: audience, scp: 'access_as_user', azp: clientId }, current(), 3600),
            id_token: await sign({ ...userClaims, aud: clientId, ...(granted.nonce === undefined ? {} : { nonce: granted.nonce }) }, current(), 3600),
            refresh_token: refreshToken,
            client_info: base64url(JSON.stringify({ uid: user.oid, utid: tenantId })),
          });
          return;
        }
        if (grant !== 'client_credentials') {
          json(res, 400, { error: 'unsupported_grant_type', error_description: 'AADSTS70003' });
          return;
        }
        if (!clients.has(clientId) || clients.get(clientId) !== secret) {
          json(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret.' });
          return;
        }
        const scope = form.get('scope') ?? form.get('resource') ?? '';
        const audience = scope.replace(/\/\.default$/, '');
        const token = await sign(
          { aud: audience, iss: issuerUrl(), tid: tenantId, oid: clientId, azp: clientId, appid: clientId, sub: clientId, ver: '2.0' },
          current(),
          3600,
        );
        json(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
      });
      return;
    }
    json(res, 404, { error: 'not_found' });
  };
  const server = tls === undefined ? http.createServer(handle) : https.createServer({ cert: tls.cert, key: tls.key }, handle);

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  baseUrl = `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;

  return {
    tenantId,
    caCertPem: tls?.cert,
    signInAs(user) {
      signedIn = user;
    },
    signIns: () => ({ authorizeRequests, codesRedeemed }),
    publicKeys: () => ({ keys: keys.map((k) => k.publicJwk) }),
    get issuer() {
      return issuerUrl();
    },
    baseUrl,
    jwksUrl: `${baseUrl}/${tenantId}/discovery/v2.0/keys`,
    addClient(clientId, clientSecret) {
      clients.set(clientId, clientSecret);
    },
    async issueUserToken(options) {
      const claims: Record<string, unknown> = {
        aud: options.audience,
        iss: options.issuer ?? issuerUrl(),
        tid: tenantId,
        oid: options.oid,
        sub: options.oid,
        ver: '2.0',
        ...(options.email !== undefined ? { preferred_username: options.email, email: options.email } : {}),
        ...(options.name !== undefined ? { name: options.name } : {}),
        ...options.extraClaims,
      };
      const key = options.signWithUnpublishedKey ? unpublished : current();
      return sign(claims, key, options.expiresInSeconds ?? 3600);
    },
    async issueAppToken(options) {
      const claims: Record<string, unknown> = {
        aud: options.audience,
        iss: options.issuer ?? issuerUrl(),
        tid: options.tenantId ?? tenantId,
        appid: options.appId,
        azp: options.appId,
        oid: options.appId,
        sub: options.appId,
        idtyp: 'app',
        ver: '2.0',
      };
      return sign(claims, options.signWithUnpublishedKey ? unpublished : current(), options.expiresInSeconds ?? 3600);
    },
    async rotateKey() {
      keys.push(await newSigningKey());
    },
    requests: () => requestCount,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

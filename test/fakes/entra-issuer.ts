import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type CryptoKey } from 'jose';

/**
 * A local stand-in for Microsoft Entra ID that speaks its wire protocol: the OpenID configuration document,
 * the JWKS key set and the v2.0 token endpoint (client credentials), with tokens signed by real RSA keys.
 * Tests use it to drive the real token-validation code.
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

export interface FakeEntraIssuer {
  readonly tenantId: string;
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

export async function startFakeEntraIssuer(tenantId: string = randomUUID()): Promise<FakeEntraIssuer> {
  const keys: SigningKey[] = [await newSigningKey()];
  const unpublished = await newSigningKey();
  const clients = new Map<string, string>();
  let requestCount = 0;
  let baseUrl = '';

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

  const server = http.createServer((req, res) => {
    requestCount += 1;
    const url = new URL(req.url ?? '/', baseUrl);
    const prefix = `/${tenantId}`;
    if (req.method === 'GET' && url.pathname === `${prefix}/v2.0/.well-known/openid-configuration`) {
      json(res, 200, {
        issuer: issuerUrl(),
        jwks_uri: `${baseUrl}${prefix}/discovery/v2.0/keys`,
        token_endpoint: `${baseUrl}${prefix}/oauth2/v2.0/token`,
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
    if (req.method === 'POST' && url.pathname === `${prefix}/oauth2/v2.0/token`) {
      void readForm(req).then(async (form) => {
        const clientId = form.get('client_id') ?? '';
        const secret = form.get('client_secret') ?? '';
        if (form.get('grant_type') !== 'client_credentials') {
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
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;

  return {
    tenantId,
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

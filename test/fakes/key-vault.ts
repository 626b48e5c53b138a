import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import type http from 'node:http';
import https from 'node:https';
import { loopbackCertificate } from './loopback-certificate.js';

/**
 * A local stand-in for the Azure Key Vault keys data plane, enough for key wrapping: `GET /keys/{name}[/{version}]`
 * (the key bundle with its public JWK; no version means the current one), and `POST /keys/{name}/{version}/wrapkey`
 * and `/unwrapkey` with `{alg, value}` (value base64url) answering `{kid, value}`, the kid naming the version. RSA keys
 * only, wrapping with RSA-OAEP-256 or RSA-OAEP (the private key stays here). Every request needs `api-version`.
 * Authentication is the vault's bearer challenge: a request without a token is answered 401 with
 * `WWW-Authenticate: Bearer authorization="…", resource="https://vault.azure.net"`, and only the expected token is
 * accepted afterwards. Tests rotate keys (a new current version) and read every call made. It serves HTTPS (the SDK
 * refuses plain http) with a fresh self-signed certificate for 127.0.0.1, which a test trusts for its client alone.
 */

export const KEY_VAULT_RESOURCE = 'https://vault.azure.net';

export interface KeyVaultCall {
  readonly method: string;
  /** `get`, `wrapkey` or `unwrapkey`. */
  readonly operation: string;
  readonly keyName: string;
  /** The version in the path; '' when none was named. */
  readonly version: string;
  /** `alg` of a wrap or unwrap body. */
  readonly alg: string | undefined;
  readonly apiVersion: string | null;
  /** What the call was answered. */
  readonly status: number;
  /** Whether it carried the expected bearer token. */
  readonly authenticated: boolean;
}

export interface FakeKeyVault {
  /** `https://127.0.0.1:<port>`: the vault URL. */
  readonly vaultUrl: string;
  /** PEM of the server's self-signed certificate. */
  readonly certificate: string;
  /** Creates a key (or a new version of an existing one, which becomes current); returns the versioned key id. */
  createKey(name: string): string;
  /** A new current version of an existing key; older versions stay usable. Returns the new versioned key id. */
  rotateKey(name: string): string;
  /** Disables one version (its operations then answer 403 Forbidden, as the vault does). */
  disableVersion(name: string, version: string): void;
  readonly calls: readonly KeyVaultCall[];
  close(): Promise<void>;
}

export interface FakeKeyVaultOptions {
  /** The bearer token the vault accepts. */
  readonly acceptedToken: string;
  /** The tenant named in the challenge's authorization URL. */
  readonly tenantId?: string;
}

interface KeyVersion {
  readonly version: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly created: number;
  enabled: boolean;
}

const OAEP_HASH: Record<string, string> = { 'RSA-OAEP-256': 'sha256', 'RSA-OAEP': 'sha1' };

export async function startFakeKeyVault(options: FakeKeyVaultOptions): Promise<FakeKeyVault> {
  const tenantId = options.tenantId ?? '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const keys = new Map<string, KeyVersion[]>();
  const calls: KeyVaultCall[] = [];
  let vaultUrl = '';

  const kidOf = (name: string, version: string) => `${vaultUrl}/keys/${name}/${version}`;

  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };
  const error = (res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    json(res, status, { error: { code, message } }, headers);
  const challenge = {
    'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="${KEY_VAULT_RESOURCE}"`,
  };

  const readBody = (req: http.IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const pems = await loopbackCertificate();

  const server = https.createServer({ cert: pems.cert, key: pems.key }, (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', vaultUrl);
      const body = await readBody(req);
      const segments = url.pathname.split('/').slice(1);
      const [collection, keyName = '', version = '', operation = 'get'] = segments;
      const apiVersion = url.searchParams.get('api-version');
      const auth = req.headers.authorization;
      const authenticated = auth === `Bearer ${options.acceptedToken}`;
      let alg: string | undefined = undefined;
      const record = (status: number) =>
        calls.push({ method: req.method ?? '', operation, keyName, version, alg, apiVersion, status, authenticated });

      if (auth === undefined) {
        record(401);
        return error(res, 401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.', challenge);
      }
      if (!authenticated) {
        record(401);
        return error(res, 401, 'Unauthorized', 'AKV10032: Invalid issuer or token.', challenge);
      }
      if (apiVersion === null) {
        record(400);
        return error(res, 400, 'BadParameter', 'The api-version query parameter is required.');
      }
      if (collection !== 'keys' || keyName === '' || segments.length > 4) {
        record(404);
        return error(res, 404, 'NotFound', `No route for ${req.method} ${url.pathname}`);
      }
      const versions = keys.get(keyName);
      const key = version === '' ? versions?.at(-1) : versions?.find((v) => v.version === version);
      if (key === undefined) {
        record(404);
        return error(res, 404, 'KeyNotFound', `A key with (name/id) ${keyName}${version === '' ? '' : `/${version}`} was not found in this key vault.`);
      }
      const kid = kidOf(keyName, key.version);

      if (req.method === 'GET' && operation === 'get') {
        const jwk = key.publicKey.export({ format: 'jwk' });
        record(200);
        const seconds = Math.floor(key.created / 1000);
        return json(res, 200, {
          key: { kid, kty: 'RSA', key_ops: ['wrapKey', 'unwrapKey'], n: jwk.n, e: jwk.e },
          attributes: { enabled: key.enabled, created: seconds, updated: seconds, recoveryLevel: 'Recoverable', recoverableDays: 90 },
        });
      }
      if (req.method !== 'POST' || (operation !== 'wrapkey' && operation !== 'unwrapkey') || version === '') {
        record(405);
        return error(res, 405, 'MethodNotAllowed', `${req.method} ${url.pathname} is not supported`);
      }
      let parsed: { alg?: unknown; value?: unknown };
      try {
        parsed = JSON.parse(body) as { alg?: unknown; value?: unknown };
      } catch {
        record(400);
        return error(res, 400, 'BadParameter', 'The request body is not JSON.');
      }
      alg = typeof parsed.alg === 'string' ? parsed.alg : undefined;
      const oaepHash = alg === undefined ? undefined : OAEP_HASH[alg];
      if (oaepHash === undefined || typeof parsed.value !== 'string' || !/^[A-Za-z0-9_-]*$/.test(parsed.value)) {
        record(400);
        return error(res, 400, 'BadParameter', 'Invalid algorithm or value.');
      }
      if (!key.enabled) {
        record(403);
        return error(res, 403, 'Forbidden', 'Operation is not allowed on a disabled key.');
      }
      const input = Buffer.from(parsed.value, 'base64url');
      let output: Buffer;
      try {
        output =
          operation === 'wrapkey'
            ? publicEncrypt({ key: key.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, input)
            : privateDecrypt({ key: key.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, input);
      } catch {
        record(400);
        return error(res, 400, 'BadParameter', 'Error occurred while decrypting the value.');
      }
      record(200);
      return json(res, 200, { kid, value: output.toString('base64url') });
    })().catch((err: unknown) => {
      if (!res.headersSent) error(res, 500, 'InternalError', String(err));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  vaultUrl = `https://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;

  const addVersion = (name: string): string => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const version = randomBytes(16).toString('hex');
    const versions = keys.get(name) ?? [];
    versions.push({ version, privateKey, publicKey, created: Date.now(), enabled: true });
    keys.set(name, versions);
    return kidOf(name, version);
  };

  return {
    vaultUrl,
    certificate: pems.cert,
    createKey: addVersion,
    rotateKey(name) {
      if (!keys.has(name)) throw new Error(`no key ${name} to rotate`);
      return addVersion(name);
    },
    disableVersion(name, version) {
      const found = keys.get(name)?.find((v) => v.version === version);
      if (found === undefined) throw new Error(`no version ${version} of key ${name}`);
      found.enabled = false;
    },
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

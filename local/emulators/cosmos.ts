import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:https';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { generate } from 'selfsigned';

/** The key every Cosmos DB emulator accepts; the local server does not check it, the SDK needs one. */
export const EMULATOR_KEY =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nqkAKlo5n8M2Kb2jhJ5gAaa0bHqW0HPlCzeZs4mw==';

export interface CosmosServerOptions {
  /** Folder that keeps the certificate (reused across restarts so clients keep trusting it). */
  readonly certDir: string;
  readonly port?: number;
}

export interface RunningCosmosServer {
  readonly endpoint: string;
  readonly key: string;
  /** PEM of the server's self-signed certificate; trust it for this endpoint only. */
  readonly certFile: string;
  /** Requests the server has answered, for counting store operations in benchmarks. */
  requestCount(): number;
  stop(): Promise<void>;
}

async function ensureCertificate(certDir: string): Promise<{ cert: string; key: string; certFile: string }> {
  mkdirSync(certDir, { recursive: true });
  const certFile = path.join(certDir, 'cosmos-cert.pem');
  const keyFile = path.join(certDir, 'cosmos-key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) {
    const cert = readFileSync(certFile, 'utf8');
    const validTo = new Date(new X509Certificate(cert).validTo);
    // Keep using a certificate that stays valid for at least another week.
    if (validTo.getTime() - Date.now() > 7 * 24 * 3600 * 1000) {
      return { cert, key: readFileSync(keyFile, 'utf8'), certFile };
    }
  }
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  writeFileSync(certFile, pems.cert);
  return { cert: pems.cert, key: pems.private, certFile };
}

/**
 * Starts the in-process Cosmos DB server (`@vercel/cosmosdb-server`) over HTTPS with a self-signed certificate
 * for localhost that is written beside the data, so the Cosmos client can trust exactly that certificate.
 */
export async function startCosmosServer(options: CosmosServerOptions): Promise<RunningCosmosServer> {
  const { cert, key, certFile } = await ensureCertificate(options.certDir);
  // keepAlive: the server otherwise answers `connection: close`, which costs a TLS handshake per request.
  const server: Server = createHttpsServer({ cert, key, keepAlive: true } as Parameters<typeof createHttpsServer>[0]);
  let requests = 0;
  server.prependListener('request', () => {
    requests += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    endpoint: `https://127.0.0.1:${port}/`,
    key: EMULATOR_KEY,
    certFile,
    requestCount: () => requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedFetcher } from '../../../shared/adapters/outbound/guarded-fetcher.js';
import type { HostResolver } from '../../../shared/adapters/outbound/outbound-target.js';

const limits = { maxBytes: 1024 * 1024, timeoutMs: 5_000 };

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A loopback server with the answers the tests need: plain, echo, redirects, big and slow bodies. */
async function startServer(): Promise<{ server: Server; base: string; port: number }> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      switch (url.pathname) {
        case '/ok':
          response.end('hello');
          return;
        case '/echo':
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify({ method: request.method, headers: request.headers, body: await readBody(request) }));
          return;
        case '/redirect':
          response.statusCode = Number(url.searchParams.get('status') ?? '302');
          response.setHeader('location', url.searchParams.get('to') ?? '/ok');
          response.end('moved');
          return;
        case '/loop': {
          const n = Number(url.searchParams.get('n') ?? '0');
          const stop = Number(url.searchParams.get('stop'));
          if (n >= stop) {
            response.end(`after ${n} redirects`);
            return;
          }
          response.statusCode = 302;
          response.setHeader('location', `/loop?n=${n + 1}&stop=${stop}`);
          response.end();
          return;
        }
        case '/bytes': {
          const size = Number(url.searchParams.get('size'));
          if (url.searchParams.get('declare') === '1') response.setHeader('content-length', size);
          // Written in pieces so that, without a declared length, the cap must be enforced while streaming.
          const piece = Buffer.alloc(64 * 1024, 0x61);
          let left = size;
          while (left > 0) {
            const part = piece.subarray(0, Math.min(left, piece.length));
            left -= part.length;
            if (!response.write(part)) await new Promise((resolve) => response.once('drain', resolve));
            if (response.destroyed) return;
          }
          response.end();
          return;
        }
        case '/slow':
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.write('partial');
          // Never ends; the fetcher's deadline must cut it.
          return;
        default:
          response.statusCode = 404;
          response.end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}`, port };
}

describe('guarded fetcher', () => {
  let server: Server;
  let base: string;
  let port: number;
  const local = createGuardedFetcher({ allowPrivateUrls: true });
  const strict = createGuardedFetcher({ allowPrivateUrls: false });

  beforeAll(async () => {
    ({ server, base, port } = await startServer());
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  describe('addresses', () => {
    it('refuses a loopback server when private URLs are not allowed', async () => {
      await expect(strict.fetch(`${base}/ok`, limits)).rejects.toMatchObject({ code: 'UrlNotAllowed' });
    });

    it('fetches a loopback server over http:// when the local-only setting allows private URLs', async () => {
      const response = await local.fetch(`${base}/ok`, limits);
      expect(response.status).toBe(200);
      expect(response.body.toString()).toBe('hello');
      expect(response.finalUrl).toBe(`${base}/ok`);
    });

    it.each([
      'http://169.254.169.254/latest/meta-data/',
      'https://169.254.169.254/metadata/instance',
      'https://168.63.129.16/',
      'https://10.0.0.1/',
      'https://172.16.5.4/',
      'https://192.168.0.1/',
      'https://100.64.0.1/',
      'https://[fd00::1]/',
      'https://[fe80::1]/',
      'https://[::ffff:10.0.0.1]/',
      'https://[::ffff:a9fe:a9fe]/',
      'https://0.0.0.0/',
      'https://224.0.0.1/',
      'https://metadata.google.internal/computeMetadata/v1/',
      'http://metadata/',
    ])('refuses %s with UrlNotAllowed even when loopback is allowed', async (url) => {
      await expect(local.fetch(url, limits)).rejects.toMatchObject({ code: 'UrlNotAllowed' });
      await expect(strict.fetch(url, limits)).rejects.toMatchObject({ code: 'UrlNotAllowed' });
    });

    it.each(['https://[::1]/', 'https://localhost/', 'https://127.0.0.1/', 'https://api.localhost/', 'https://[::ffff:127.0.0.1]/'])(
      'refuses the loopback URL %s when private URLs are not allowed',
      async (url) => {
        await expect(strict.fetch(url, limits)).rejects.toMatchObject({ code: 'UrlNotAllowed' });
      },
    );

    it.each(['http://example.com/', 'ftp://example.com/file', 'file:///etc/passwd', 'https://user:secret@example.com/', 'not a url'])(
      'refuses %s before any network access',
      async (url) => {
        let resolved = 0;
        const fetcher = createGuardedFetcher({
          allowPrivateUrls: false,
          resolve: () => {
            resolved++;
            return Promise.resolve([{ address: '93.184.215.14', family: 4 }]);
          },
        });
        await expect(fetcher.fetch(url, limits)).rejects.toMatchObject({ code: 'UrlNotAllowed' });
        expect(resolved).toBe(0);
      },
    );

    it('checks a URL without fetching it, with the same rules', async () => {
      await expect(strict.checkUrl('https://169.254.169.254/')).rejects.toMatchObject({ code: 'UrlNotAllowed' });
      await expect(strict.checkUrl(`${base}/ok`)).rejects.toMatchObject({ code: 'UrlNotAllowed' });
      await expect(local.checkUrl(`${base}/ok`)).resolves.toBeUndefined();
    });

    it('refuses a host name that resolves to a private address', async () => {
      const fetcher = createGuardedFetcher({ allowPrivateUrls: false, resolve: () => Promise.resolve([{ address: '10.1.2.3', family: 4 }]) });
      await expect(fetcher.fetch('https://media.example.com/a.png', limits)).rejects.toMatchObject({
        code: 'UrlNotAllowed',
        message: 'The URL is not allowed: the host name resolves to a private address.',
      });
    });

    it('refuses a host name when any of its addresses is not public', async () => {
      const resolve: HostResolver = () =>
        Promise.resolve([
          { address: '93.184.215.14', family: 4 },
          { address: '169.254.169.254', family: 4 },
        ]);
      const fetcher = createGuardedFetcher({ allowPrivateUrls: false, resolve });
      await expect(fetcher.fetch('https://media.example.com/a.png', limits)).rejects.toMatchObject({ code: 'UrlNotAllowed' });
    });

    it('connects to the checked address instead of resolving the name again', async () => {
      let resolutions = 0;
      const fetcher = createGuardedFetcher({
        allowPrivateUrls: true,
        resolve: () => {
          resolutions++;
          return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
        },
      });
      // `media.test` exists in no DNS: the request can only reach the server through the pinned address.
      const response = await fetcher.fetch(`http://media.test:${port}/echo`, limits);
      const echoed = JSON.parse(response.body.toString()) as { headers: Record<string, string> };
      expect(echoed.headers.host).toBe(`media.test:${port}`);
      expect(resolutions).toBe(1);
    });

    it('keeps the Host header to the checked name whatever the caller sends', async () => {
      const response = await local.fetch(`${base}/echo`, { ...limits, headers: { Host: 'internal.service', 'X-Trace': '1' } });
      const echoed = JSON.parse(response.body.toString()) as { headers: Record<string, string> };
      expect(echoed.headers.host).toBe(`127.0.0.1:${port}`);
      expect(echoed.headers['x-trace']).toBe('1');
    });

    it('answers UrlUnreachable when the host name does not resolve', async () => {
      const fetcher = createGuardedFetcher({
        allowPrivateUrls: false,
        resolve: () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })),
      });
      await expect(fetcher.fetch('https://no-such-host.example/', limits)).rejects.toMatchObject({
        code: 'UrlUnreachable',
        message: 'The URL could not be fetched: the host name does not resolve.',
      });
    });

    it('answers UrlUnreachable when the connection is refused', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const closedPort = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      await expect(local.fetch(`http://127.0.0.1:${closedPort}/`, limits)).rejects.toMatchObject({ code: 'UrlUnreachable' });
    });
  });

  describe('redirects', () => {
    it('follows a redirect to an allowed URL and reports where it ended', async () => {
      const response = await local.fetch(`${base}/redirect?to=/ok`, limits);
      expect(response.status).toBe(200);
      expect(response.body.toString()).toBe('hello');
      expect(response.finalUrl).toBe(`${base}/ok`);
    });

    it.each(['http://10.0.0.1/', 'http://169.254.169.254/latest/meta-data/', 'https://[::ffff:192.168.0.1]/', 'https://metadata.google.internal/'])(
      'refuses a redirect from an allowed URL to %s',
      async (to) => {
        await expect(local.fetch(`${base}/redirect?to=${encodeURIComponent(to)}`, limits)).rejects.toMatchObject({ code: 'UrlNotAllowed' });
      },
    );

    it('refuses a redirect from https to plain http on a public host', async () => {
      const fetcher = createGuardedFetcher({
        allowPrivateUrls: true,
        resolve: () => Promise.resolve([{ address: '93.184.215.14', family: 4 }]),
      });
      await expect(fetcher.fetch(`${base}/redirect?to=${encodeURIComponent('http://downgrade.example/')}`, limits)).rejects.toMatchObject({
        code: 'UrlNotAllowed',
      });
    });

    it('follows five redirects and gives up at the sixth', async () => {
      const fifth = await local.fetch(`${base}/loop?stop=5`, limits);
      expect(fifth.body.toString()).toBe('after 5 redirects');
      await expect(local.fetch(`${base}/loop?stop=6`, limits)).rejects.toMatchObject({
        code: 'UrlUnreachable',
        message: 'The URL could not be fetched: more than 5 redirects.',
      });
    });

    it('turns a POST answered with 303 into a GET without the body', async () => {
      const response = await local.fetch(`${base}/redirect?status=303&to=/echo`, { ...limits, method: 'POST', body: '{"a":1}' });
      expect(JSON.parse(response.body.toString())).toMatchObject({ method: 'GET', body: '' });
    });

    it('keeps the method, body and headers across a 307 on the same origin', async () => {
      const response = await local.fetch(`${base}/redirect?status=307&to=/echo`, {
        ...limits,
        method: 'POST',
        body: '{"a":1}',
        headers: { 'x-tool-key': 'secret' },
      });
      expect(JSON.parse(response.body.toString())).toMatchObject({ method: 'POST', body: '{"a":1}', headers: { 'x-tool-key': 'secret' } });
    });

    it('drops the caller headers when a redirect leaves the origin', async () => {
      const to = `http://localhost:${port}/echo`;
      const response = await local.fetch(`${base}/redirect?to=${encodeURIComponent(to)}`, { ...limits, headers: { authorization: 'Bearer t' } });
      const echoed = JSON.parse(response.body.toString()) as { headers: Record<string, string> };
      expect(echoed.headers.authorization).toBeUndefined();
      expect(response.finalUrl).toBe(to);
    });
  });

  describe('limits', () => {
    it('returns a body of exactly the limit', async () => {
      const response = await local.fetch(`${base}/bytes?size=4096`, { ...limits, maxBytes: 4096 });
      expect(response.body).toHaveLength(4096);
    });

    it('stops reading a body without a declared length once it passes the limit', async () => {
      await expect(local.fetch(`${base}/bytes?size=${3 * 1024 * 1024}`, limits)).rejects.toMatchObject({
        code: 'RemoteFileTooLarge',
        limitBytes: limits.maxBytes,
      });
    });

    it('refuses a declared length over the limit before reading the body', async () => {
      await expect(local.fetch(`${base}/bytes?size=${3 * 1024 * 1024}&declare=1`, limits)).rejects.toMatchObject({ code: 'RemoteFileTooLarge' });
    });

    it('gives up when the whole exchange takes longer than the deadline', async () => {
      const started = Date.now();
      await expect(local.fetch(`${base}/slow`, { ...limits, timeoutMs: 300 })).rejects.toMatchObject({ code: 'UrlFetchTimedOut' });
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('counts a slow name resolution against the deadline', async () => {
      const fetcher = createGuardedFetcher({ allowPrivateUrls: false, resolve: () => new Promise(() => undefined) });
      await expect(fetcher.fetch('https://slow-dns.example/', { ...limits, timeoutMs: 200 })).rejects.toMatchObject({ code: 'UrlFetchTimedOut' });
    });
  });
});

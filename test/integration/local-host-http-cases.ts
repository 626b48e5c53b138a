import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFunctionsCore } from '../../local/functions-core/index.js';
import { startLocalHost, type HostLogLine, type LocalHost } from '../../local/host/index.js';
import { delay, waitFor } from '../fixtures/host-app/wait-for.js';

export const fixtureAppDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/host-app');

interface HttpFixtureApp {
  readonly httpEvents: string[];
  holdSlowRequests(): () => void;
}

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
}

/**
 * The HTTP behaviour both modes must share. `load` imports the fixture app after the core module is
 * installed, because `@azure/functions` looks for it on the first registration.
 */
export function defineHttpHostTests(mode: 'rpc' | 'stream', load: () => Promise<HttpFixtureApp>): void {
  describe(`local host over HTTP (${mode} mode)`, () => {
    let host: LocalHost;
    let fixture: HttpFixtureApp;
    const logs: HostLogLine[] = [];

    beforeAll(async () => {
      installFunctionsCore();
      fixture = await load();
      host = await startLocalHost({
        appDir: fixtureAppDir,
        port: 0,
        host: '127.0.0.1',
        settings: {},
        log: (line) => logs.push(line),
        tuning: { shutdownTimeoutMs: 5_000 },
      });
    });

    afterAll(async () => {
      await host?.stop();
    });

    it(`serves in ${mode} mode`, () => {
      expect(host.httpStreaming).toBe(mode === 'stream');
      expect(fixture.httpEvents).toContain('appStart');
    });

    it('when a request matches, the handler gets real HttpRequest and InvocationContext with params, query and body', async () => {
      const res = await fetch(`${host.url}/api/items/42?tag=a&tag=b`, {
        method: 'POST',
        body: 'hello body',
        headers: { 'user-agent': 'host-test' },
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-fixture')).toBe('item');
      const body = (await res.json()) as Record<string, unknown>;
      // In RPC mode the host sends the query as a dictionary that joins repeated keys with commas
      // (azure-functions-nodejs-library#168); stream mode reads the real query string.
      const tags = mode === 'stream' ? ['a', 'b'] : ['a,b'];
      expect(body).toMatchObject({
        id: '42',
        tag: tags[0],
        tags,
        body: 'hello body',
        method: 'POST',
        url: `${host.url}/api/items/42?tag=a&tag=b`,
        userAgent: 'host-test',
        isHttpRequest: true,
        isInvocationContext: true,
        functionName: 'item',
      });
      expect(fixture.httpEvents).toContain('pre:item');

      const invocationId = body['invocationId'];
      const userLog = await waitFor(
        () => logs.find((l) => l['category'] === 'Function.item.User' && l['invocationId'] === invocationId),
        'the user log line',
      );
      expect(userLog['message']).toBe('item invoked 42');
      const requestLog = await waitFor(
        () => logs.find((l) => l['message'] === 'Request' && l['invocationId'] === invocationId),
        'the request log line',
      );
      expect(requestLog).toMatchObject({
        method: 'POST',
        path: '/api/items/42',
        route: 'api/items/{id:int}',
        functionName: 'item',
        status: 201,
      });
      expect(typeof requestLog['durationMs']).toBe('number');
    });

    it('when a literal route and a parameter route both match, the literal wins whatever the registration order', async () => {
      const stock = await fetch(`${host.url}/api/public/companions/stock`);
      expect(await stock.json()).toEqual({ which: 'stock' });
      const byId = await fetch(`${host.url}/API/Public/Companions/c-7`);
      expect(await byId.json()).toEqual({ which: 'byId', id: 'c-7' });
      // The literal route only allows GET, so DELETE falls through to the parameter route.
      const deleted = await fetch(`${host.url}/api/public/companions/stock`, { method: 'DELETE' });
      expect(await deleted.json()).toEqual({ which: 'byId', id: 'stock' });
    });

    it('when a route has a catch-all or an optional parameter, it binds them', async () => {
      const files = await fetch(`${host.url}/api/files/a/b/c.txt`);
      expect(await files.json()).toEqual({ rest: 'a/b/c.txt' });
      expect(await (await fetch(`${host.url}/api/greetings`)).text()).toBe('hello stranger');
      expect(await (await fetch(`${host.url}/api/greetings/ada`)).text()).toBe('hello ada');
    });

    it('when no route matches, the answer is a 404 problem', async () => {
      for (const url of [`${host.url}/api/nowhere`, `${host.url}/api/items/not-a-number`, `${host.url}/items/1`]) {
        const res = await fetch(url);
        expect(res.status).toBe(404);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        const problem = (await res.json()) as ProblemBody;
        expect(problem).toMatchObject({ type: 'about:blank', title: 'Not Found', status: 404, code: 'NotFound' });
        expect(typeof problem.detail).toBe('string');
      }
    });

    it('when the route exists but not for the method, the answer is a 405 problem with Allow', async () => {
      const res = await fetch(`${host.url}/api/items/1`, { method: 'PUT', body: 'x' });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, POST');
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({ status: 405, code: 'MethodNotAllowed', title: 'Method Not Allowed' });
    });

    it('when the handler throws, the answer is a 500 problem that keeps the error to the logs', async () => {
      const res = await fetch(`${host.url}/api/boom`);
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ type: 'about:blank', status: 500, code: 'Internal' });
      expect(text).not.toContain('hunter2');
      expect(text).not.toMatch(/stack|Error:/);
      const logged = await waitFor(
        () => logs.find((l) => l['category'] === 'Function.boom' && l['level'] === 'error'),
        'the failure log line',
      );
      expect(String(logged['error'])).toContain('hunter2');
    });

    it('when the handler returns nothing, the answer is 204', async () => {
      const res = await fetch(`${host.url}/api/nothing`, { method: 'POST' });
      expect(res.status).toBe(204);
      expect(await res.text()).toBe('');
    });

    it('when the handler sets a cookie, it arrives as Set-Cookie', async () => {
      const res = await fetch(`${host.url}/api/cookie`);
      expect(await res.text()).toBe('cookie set');
      const cookie = res.headers.getSetCookie().join('\n');
      expect(cookie).toMatch(/^session=a%20b/);
      expect(cookie).toMatch(/Path=\//);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
    });

    it(
      mode === 'stream'
        ? 'when the handler streams server-sent events, they arrive chunk by chunk'
        : 'when the handler streams server-sent events, RPC mode delivers the whole body',
      async () => {
        const res = await fetch(`${host.url}/api/events`);
        expect(res.headers.get('content-type')).toBe('text/event-stream');
        const reader = res.body!.getReader();
        const decoder = new TextDecoder();
        const chunks: { text: string; at: number }[] = [];
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push({ text: decoder.decode(value), at: Date.now() });
        }
        expect(chunks.map((c) => c.text).join('')).toBe('data: event 1\n\ndata: event 2\n\ndata: event 3\n\n');
        if (mode === 'stream') {
          expect(chunks.length).toBeGreaterThanOrEqual(3);
          expect(chunks[0]!.text).toBe('data: event 1\n\n');
          expect(chunks.at(-1)!.at - chunks[0]!.at).toBeGreaterThanOrEqual(300);
        }
      },
    );

    it('when a client drops an event stream while its handler still runs, the host logs it and keeps serving', async () => {
      const aborter = new AbortController();
      const res = await fetch(`${host.url}/api/events`, { signal: aborter.signal });
      const reader = res.body!.getReader();
      await reader.read();
      aborter.abort();
      // The handler goes on writing after the client left; the host must neither crash nor hang.
      await delay(800);
      const again = await fetch(`${host.url}/api/greetings/after`);
      expect(again.status).toBe(200);
      if (mode === 'stream') {
        await waitFor(() => logs.some((line) => line.message === 'Streaming the response stopped early'), 'the early stop to be logged');
      }
    });

    it('when the host stops during a slow request, the request still completes and new ones are refused', async () => {
      const release = fixture.holdSlowRequests();
      const pending = fetch(`${host.url}/api/slow`);
      await waitFor(() => fixture.httpEvents.includes('slow:started'), 'the slow handler to start');

      let stopped = false;
      const stopping = host.stop().then(() => (stopped = true));
      await delay(200);
      expect(stopped).toBe(false);
      await expect(fetch(`${host.url}/api/greetings`)).rejects.toThrow();

      release();
      const res = await pending;
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('done');
      await stopping;
      expect(fixture.httpEvents.indexOf('appTerminate')).toBeGreaterThan(fixture.httpEvents.indexOf('slow:finished'));
    });
  });
}

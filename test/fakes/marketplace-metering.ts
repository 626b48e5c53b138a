import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';

/**
 * A local stand-in for the Azure Marketplace Metering API with its rules: `POST /api/batchUsageEvent` (at most 25
 * items, else 400; a status per item in a 200 answer), one accepted event per resource, dimension and hour (a repeat
 * is `Duplicate` carrying the accepted event, with its quantity), the 24-hour window (`Expired`), unknown resources
 * (`ResourceNotFound`), suspended subscriptions (`ResourceNotActive`), unknown dimensions (`InvalidDimension`), plans other than the subscription's
 * (`BadArgument`), and bearer tokens signed by the Entra fake for the Marketplace's audience. `GET /api/usageEvents`
 * is the usage report reconciliation reads. Tests inject 429/5xx answers and a crash after processing (the events
 * are taken, the connection dies before the answer).
 */

export interface AcceptedUsageEvent {
  readonly usageEventId: string;
  readonly resourceId: string;
  readonly dimension: string;
  readonly hour: string;
  readonly quantity: number;
  readonly planId: string;
  readonly messageTime: string;
}

export interface FakeMeteringApi {
  /** Base of the API, as MARKETPLACE_API_URL names it (`…/api`). */
  readonly apiUrl: string;
  /** A SaaS subscription that can be metered, on a plan. */
  addSubscription(resourceId: string, planId: string, dimensions?: readonly string[]): void;
  changePlan(resourceId: string, planId: string): void;
  /**
   * Suspends or reinstates a subscription. Usage of a suspended one is refused per item with `ResourceNotActive`
   * (assumed; the Metering API documents only that usage is emitted against an active, subscribed resource).
   */
  setActive(resourceId: string, active: boolean): void;
  /** An event the Marketplace already holds (e.g. sent by someone else), so ours comes back a Duplicate. */
  seedAccepted(event: Omit<AcceptedUsageEvent, 'usageEventId' | 'messageTime'>): void;
  /** The next `times` batch calls answer `status` (429 with Retry-After, 500, 503) without processing anything. */
  failNext(status: number, times?: number): void;
  /** The next batch call is processed, then its connection is destroyed before the answer. */
  crashAfterProcessingNext(): void;
  accepted(): AcceptedUsageEvent[];
  /** Every batch call that reached the handler (authenticated or not), with its item count and answer. */
  readonly calls: { readonly items: number; readonly status: number | 'destroyed' }[];
  close(): Promise<void>;
}

export interface FakeMeteringOptions {
  /** The Entra fake's issuer and key set. */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** The audience tokens must carry: the Marketplace's application id. */
  readonly audience: string;
  /** The Marketplace's clock (the 24-hour window); the system clock by default. */
  readonly now?: () => Date;
}

const HOUR_MS = 3_600_000;
const hourOf = (iso: string) => new Date(Math.floor(Date.parse(iso) / HOUR_MS) * HOUR_MS).toISOString();

export async function startFakeMeteringApi(options: FakeMeteringOptions): Promise<FakeMeteringApi> {
  const now = options.now ?? (() => new Date());
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl));
  const subscriptions = new Map<string, { planId: string; dimensions: Set<string>; active: boolean }>();
  const events = new Map<string, AcceptedUsageEvent>();
  const failures: number[] = [];
  let crashNext = false;
  const calls: { items: number; status: number | 'destroyed' }[] = [];
  const keyOf = (resourceId: string, dimension: string, hour: string) => `${resourceId}|${dimension}|${hour}`;

  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const authorized = async (req: http.IncomingMessage): Promise<boolean> => {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) return false;
    try {
      await jwtVerify(header.slice(7), jwks, { issuer: options.issuer, audience: options.audience });
      return true;
    } catch {
      return false;
    }
  };

  const processItem = (raw: Record<string, unknown>): Record<string, unknown> => {
    const resourceId = String(raw['resourceId'] ?? raw['resourceUri'] ?? '');
    const dimension = String(raw['dimension'] ?? '');
    const planId = String(raw['planId'] ?? '');
    const quantity = Number(raw['quantity']);
    const effectiveStartTime = String(raw['effectiveStartTime'] ?? '');
    const echo = { resourceId, dimension, planId, quantity, effectiveStartTime };
    const fail = (status: string, code: string, message: string) => ({ ...echo, status, error: { code, message } });
    const start = Date.parse(effectiveStartTime);
    if (Number.isNaN(start)) return fail('Error', 'BadArgument', 'effectiveStartTime is not a date-time.');
    if (!(quantity > 0)) return fail('InvalidQuantity', 'BadArgument', 'The quantity must be greater than 0.');
    const subscription = subscriptions.get(resourceId);
    if (subscription === undefined) return fail('ResourceNotFound', 'BadArgument', 'The resource was not found.');
    if (!subscription.active) return fail('ResourceNotActive', 'BadArgument', 'The resource is not active (suspended).');
    if (!subscription.dimensions.has(dimension)) return fail('InvalidDimension', 'BadArgument', 'The dimension is not defined on the plan.');
    if (planId !== subscription.planId) return fail('Error', 'BadArgument', 'The planId is not the plan of the subscription.');
    const current = now().getTime();
    if (start < current - 24 * HOUR_MS) return fail('Expired', 'BadArgument', 'The usage event is older than 24 hours.');
    if (start > current) return fail('Error', 'BadArgument', 'effectiveStartTime is in the future.');
    const hour = hourOf(effectiveStartTime);
    const existing = events.get(keyOf(resourceId, dimension, hour));
    if (existing !== undefined) {
      return {
        ...echo,
        status: 'Duplicate',
        error: {
          code: 'Conflict',
          message: 'This usage event already exist.',
          additionalInfo: {
            acceptedMessage: {
              usageEventId: existing.usageEventId,
              status: 'Duplicate',
              messageTime: existing.messageTime,
              resourceId: existing.resourceId,
              quantity: existing.quantity,
              dimension: existing.dimension,
              effectiveStartTime: existing.hour,
              planId: existing.planId,
            },
          },
        },
      };
    }
    const accepted: AcceptedUsageEvent = { usageEventId: randomUUID(), resourceId, dimension, hour, quantity, planId, messageTime: now().toISOString() };
    events.set(keyOf(resourceId, dimension, hour), accepted);
    return { ...echo, usageEventId: accepted.usageEventId, status: 'Accepted', messageTime: accepted.messageTime };
  };

  const readJson = async (req: http.IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.searchParams.get('api-version') !== '2018-08-31') {
        json(res, 400, { error: { code: 'BadArgument', message: 'api-version 2018-08-31 is required.' } });
        return;
      }
      if (req.method === 'POST' && url.pathname === '/api/batchUsageEvent') {
        const record = { items: 0, status: 0 as number | 'destroyed' };
        calls.push(record);
        if (!(await authorized(req))) {
          record.status = 401;
          json(res, 401, { error: { code: 'Unauthorized', message: 'The bearer token is missing or invalid.' } });
          return;
        }
        const failure = failures.shift();
        if (failure !== undefined) {
          record.status = failure;
          json(res, failure, { error: { code: failure === 429 ? 'TooManyRequests' : 'InternalServerError', message: 'injected' } }, failure === 429 ? { 'retry-after': '1' } : {});
          return;
        }
        let body: unknown;
        try {
          body = await readJson(req);
        } catch {
          record.status = 400;
          json(res, 400, { error: { code: 'BadArgument', message: 'The body is not JSON.' } });
          return;
        }
        const items = (body as { request?: unknown })?.request;
        if (!Array.isArray(items) || items.length === 0) {
          record.status = 400;
          json(res, 400, { error: { code: 'BadArgument', message: 'request must be a non-empty array.' } });
          return;
        }
        record.items = items.length;
        if (items.length > 25) {
          record.status = 400;
          json(res, 400, { error: { code: 'BadArgument', message: 'At most 25 usage events may be sent in one batch.' } });
          return;
        }
        const result = items.map((item) => processItem(item as Record<string, unknown>));
        if (crashNext) {
          crashNext = false;
          record.status = 'destroyed';
          req.socket.destroy();
          return;
        }
        record.status = 200;
        json(res, 200, { count: result.length, result });
        return;
      }
      if (req.method === 'GET' && url.pathname === '/api/usageEvents') {
        if (!(await authorized(req))) {
          json(res, 401, { error: { code: 'Unauthorized', message: 'The bearer token is missing or invalid.' } });
          return;
        }
        const from = url.searchParams.get('usageStartDate') ?? '0000-01-01';
        const to = url.searchParams.get('usageEndDate') ?? '9999-12-31';
        const days = new Map<string, { usageDate: string; usageResourceId: string; dimension: string; planId: string; processedQuantity: number; submittedQuantity: number; submittedCount: number }>();
        for (const event of events.values()) {
          const day = event.hour.slice(0, 10);
          if (day < from.slice(0, 10) || day > to.slice(0, 10)) continue;
          const key = `${day}|${event.resourceId}|${event.dimension}`;
          const row = days.get(key) ?? {
            usageDate: `${day}T00:00:00`,
            usageResourceId: event.resourceId,
            dimension: event.dimension,
            planId: event.planId,
            processedQuantity: 0,
            submittedQuantity: 0,
            submittedCount: 0,
          };
          row.processedQuantity += event.quantity;
          row.submittedQuantity += event.quantity;
          row.submittedCount += 1;
          days.set(key, row);
        }
        json(res, 200, [...days.values()]);
        return;
      }
      json(res, 404, { error: { code: 'NotFound', message: 'no such route' } });
    })().catch(() => {
      if (!res.headersSent) json(res, 500, { error: { code: 'InternalServerError', message: 'fake failed' } });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  return {
    apiUrl: `http://127.0.0.1:${port}/api`,
    addSubscription(resourceId, planId, dimensions = ['byoLlmMinutes', 'hostedLlmMinutes']) {
      subscriptions.set(resourceId, { planId, dimensions: new Set(dimensions), active: true });
    },
    changePlan(resourceId, planId) {
      const subscription = subscriptions.get(resourceId);
      if (subscription !== undefined) subscriptions.set(resourceId, { ...subscription, planId });
    },
    setActive(resourceId, active) {
      const subscription = subscriptions.get(resourceId);
      if (subscription !== undefined) subscriptions.set(resourceId, { ...subscription, active });
    },
    seedAccepted(event) {
      const hour = hourOf(event.hour);
      events.set(keyOf(event.resourceId, event.dimension, hour), { ...event, hour, usageEventId: randomUUID(), messageTime: now().toISOString() });
    },
    failNext(status, times = 1) {
      for (let i = 0; i < times; i += 1) failures.push(status);
    },
    crashAfterProcessingNext() {
      crashNext = true;
    },
    accepted: () => [...events.values()],
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { FakeEntraIssuer } from './entra-issuer.js';

/**
 * A local stand-in for the Azure Marketplace SaaS Fulfillment API v2 (`/api/saas/...?api-version=2018-08-31`) with
 * its semantics: bearer tokens from the Entra issuer for the Marketplace's resource (401 without, 403 for another
 * audience), `resolve` of purchase tokens (400 for an unknown or expired one), `activate` that moves
 * PendingFulfillmentStart to Subscribed and answers 400 for a subscription already Subscribed or Suspended (or
 * Unsubscribed, or another plan), subscription reads, and lifecycle operations: ChangePlan and ChangeQuantity stay
 * InProgress until the publisher PATCHes Success (the change then takes effect) or Failure; Suspend, Reinstate, Renew
 * and Unsubscribe take effect at once and are Succeeded (PATCHing a settled operation answers 409). Tests raise
 * operations and get the webhook call the Marketplace would make (payload plus its signed Entra token).
 */

export type FakeSubscriptionStatus = 'PendingFulfillmentStart' | 'Subscribed' | 'Suspended' | 'Unsubscribed';
export type FakeAction = 'ChangePlan' | 'ChangeQuantity' | 'Suspend' | 'Reinstate' | 'Renew' | 'Unsubscribe';

export interface FakeParty {
  readonly emailId: string;
  readonly objectId: string;
  readonly tenantId: string;
}

export interface FakeSubscription {
  id: string;
  name: string;
  publisherId: string;
  offerId: string;
  planId: string;
  quantity: number | undefined;
  saasSubscriptionStatus: FakeSubscriptionStatus;
  purchaser: FakeParty;
  beneficiary: FakeParty;
  created: string;
  lastModified: string;
}

export interface FakeOperation {
  id: string;
  activityId: string;
  subscriptionId: string;
  publisherId: string;
  offerId: string;
  planId: string;
  quantity: number | undefined;
  action: FakeAction;
  status: 'InProgress' | 'Succeeded' | 'Failed' | 'Conflict';
  timeStamp: string;
}

export interface RecordedMarketplaceRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export interface WebhookCall {
  readonly headers: Record<string, string>;
  readonly body: Record<string, unknown>;
}

export interface FakeMarketplaceOptions {
  readonly issuer: FakeEntraIssuer;
  /** The Marketplace's application id: the audience of publishers' tokens, and the caller (appid) of webhooks. */
  readonly marketplaceAppId: string;
  /** The publisher's application id: the audience of the webhook's tokens. */
  readonly publisherAppId: string;
  readonly publisherId?: string;
}

export interface FakeMarketplace {
  /** What MARKETPLACE_API_URL names, e.g. `http://127.0.0.1:1234/api`. */
  readonly apiUrl: string;
  /** A purchase, as the Azure portal makes one: a new subscription (PendingFulfillmentStart) and its landing token. */
  purchase(input: { offerId: string; planId: string; quantity?: number; name?: string; purchaser: FakeParty }): { token: string; subscriptionId: string };
  /** Raises a lifecycle operation; returns it and the webhook call the Marketplace makes for it. */
  raise(subscriptionId: string, action: FakeAction, change?: { planId?: string; quantity?: number }): Promise<{ operation: FakeOperation; webhook: WebhookCall }>;
  /** The webhook call for an operation, optionally with another token (tests of the webhook's checks). */
  webhookCallFor(operation: FakeOperation, token?: string): Promise<WebhookCall>;
  subscription(subscriptionId: string): FakeSubscription | undefined;
  operation(operationId: string): FakeOperation | undefined;
  /** The next `count` API requests answer this status (429 with Retry-After: 0). */
  failNext(count: number, status: 429 | 500 | 503): void;
  requests(): readonly RecordedMarketplaceRequest[];
  close(): Promise<void>;
}

export const API_VERSION = '2018-08-31';

export async function startFakeMarketplace(options: FakeMarketplaceOptions): Promise<FakeMarketplace> {
  const publisherId = options.publisherId ?? 'contoso';
  const subscriptions = new Map<string, FakeSubscription>();
  const operations = new Map<string, FakeOperation>();
  const purchaseTokens = new Map<string, { subscriptionId: string; expiresAt: number }>();
  const recorded: RecordedMarketplaceRequest[] = [];
  // The issuer's keys as published now (read in process: the issuer may serve them over TLS with its own certificate).
  const keys: Parameters<typeof jwtVerify>[1] = (header, token) => createLocalJWKSet(options.issuer.publicKeys())(header, token);
  let failures: { count: number; status: number } = { count: 0, status: 500 };
  let baseUrl = '';

  const send = (res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ms-requestid': randomUUID(), ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const problem = (res: http.ServerResponse, status: number, message: string): void =>
    send(res, status, { error: { code: status === 400 ? 'BadArgument' : status === 404 ? 'EntityNotFound' : 'Error', message } });

  const readBody = async (req: http.IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (text === '') return {};
    try {
      const parsed: unknown = JSON.parse(text);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };

  /** 401 without a valid token of the issuer; 403 for a token of another resource. */
  const authorize = async (req: http.IncomingMessage): Promise<number | undefined> => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined) return 401;
    try {
      const { payload } = await jwtVerify(token, keys, { issuer: options.issuer.issuer, algorithms: ['RS256'] });
      const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      return audience.includes(options.marketplaceAppId) ? undefined : 403;
    } catch {
      return 401;
    }
  };

  const touch = (subscription: FakeSubscription): void => {
    subscription.lastModified = new Date().toISOString();
  };

  const route = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<number> => {
    if (failures.count > 0) {
      failures = { ...failures, count: failures.count - 1 };
      send(res, failures.status, { error: { code: 'Throttled', message: 'try again' } }, failures.status === 429 ? { 'retry-after': '0' } : {});
      return failures.status;
    }
    const denied = await authorize(req);
    if (denied !== undefined) {
      problem(res, denied, denied === 401 ? 'The authentication token is missing or invalid.' : 'The token is not for this resource.');
      return denied;
    }
    if (url.searchParams.get('api-version') !== API_VERSION) {
      problem(res, 400, 'Unsupported api-version.');
      return 400;
    }
    const parts = url.pathname.replace(/^\/api\/saas\//, '').split('/').map(decodeURIComponent);
    const method = req.method ?? 'GET';

    if (method === 'POST' && parts.length === 2 && parts[0] === 'subscriptions' && parts[1] === 'resolve') {
      const token = req.headers['x-ms-marketplace-token'];
      const entry = typeof token === 'string' ? purchaseTokens.get(token) : undefined;
      const subscription = entry === undefined || entry.expiresAt < Date.now() ? undefined : subscriptions.get(entry.subscriptionId);
      if (subscription === undefined) {
        problem(res, 400, 'The marketplace token is invalid or expired.');
        return 400;
      }
      send(res, 200, {
        id: subscription.id,
        subscriptionName: subscription.name,
        offerId: subscription.offerId,
        planId: subscription.planId,
        ...(subscription.quantity === undefined ? {} : { quantity: subscription.quantity }),
        subscription: { ...subscription },
      });
      return 200;
    }
    if (parts[0] !== 'subscriptions' || parts[1] === undefined) {
      problem(res, 404, 'Not found.');
      return 404;
    }
    const subscription = subscriptions.get(parts[1]);
    if (subscription === undefined) {
      problem(res, 404, 'The subscription was not found.');
      return 404;
    }
    if (method === 'POST' && parts.length === 3 && parts[2] === 'activate') {
      const body = await readBody(req);
      if (subscription.saasSubscriptionStatus !== 'PendingFulfillmentStart') {
        problem(res, 400, `The subscription is in ${subscription.saasSubscriptionStatus} state and cannot be activated.`);
        return 400;
      }
      if (body['planId'] !== undefined && body['planId'] !== subscription.planId) {
        problem(res, 400, 'The planId does not match the purchased plan.');
        return 400;
      }
      subscription.saasSubscriptionStatus = 'Subscribed';
      touch(subscription);
      send(res, 200);
      return 200;
    }
    if (method === 'GET' && parts.length === 2) {
      send(res, 200, { ...subscription });
      return 200;
    }
    if (parts[2] === 'operations' && parts.length === 3 && method === 'GET') {
      send(res, 200, { operations: [...operations.values()].filter((o) => o.subscriptionId === subscription.id && o.status === 'InProgress') });
      return 200;
    }
    if (parts[2] === 'operations' && parts.length === 4) {
      const operation = operations.get(parts[3] ?? '');
      if (operation === undefined || operation.subscriptionId !== subscription.id) {
        problem(res, 404, 'The operation was not found.');
        return 404;
      }
      if (method === 'GET') {
        send(res, 200, { ...operation });
        return 200;
      }
      if (method === 'PATCH') {
        const body = await readBody(req);
        if (body['status'] !== 'Success' && body['status'] !== 'Failure') {
          problem(res, 400, 'status must be Success or Failure.');
          return 400;
        }
        if (operation.status !== 'InProgress') {
          problem(res, 409, 'The operation is already completed.');
          return 409;
        }
        if (body['status'] === 'Success') {
          operation.status = 'Succeeded';
          subscription.planId = operation.planId;
          subscription.quantity = operation.quantity;
          touch(subscription);
        } else {
          operation.status = 'Failed';
        }
        send(res, 200);
        return 200;
      }
    }
    problem(res, 404, 'Not found.');
    return 404;
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', baseUrl);
    route(req, res, url)
      .then((status) => recorded.push({ method: req.method ?? 'GET', path: url.pathname, status }))
      .catch(() => {
        if (!res.headersSent) problem(res, 500, 'internal');
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;

  const webhookCallFor = async (operation: FakeOperation, token?: string): Promise<WebhookCall> => {
    const subscription = subscriptions.get(operation.subscriptionId);
    const bearer =
      token ?? (await options.issuer.issueAppToken({ audience: options.publisherAppId, appId: options.marketplaceAppId }));
    return {
      headers: { authorization: `Bearer ${bearer}` },
      body: {
        id: operation.id,
        activityId: operation.activityId,
        publisherId: operation.publisherId,
        offerId: operation.offerId,
        planId: operation.planId,
        quantity: operation.quantity,
        subscriptionId: operation.subscriptionId,
        timeStamp: operation.timeStamp,
        action: operation.action,
        status: operation.status === 'Succeeded' ? 'Success' : operation.status,
        operationRequestSource: 'Azure',
        subscription: subscription === undefined ? null : { ...subscription },
        purchaseToken: null,
      },
    };
  };

  return {
    apiUrl: `${baseUrl}/api`,
    purchase(input) {
      const id = randomUUID();
      const now = new Date().toISOString();
      subscriptions.set(id, {
        id,
        name: input.name ?? `Subscription ${id.slice(0, 8)}`,
        publisherId,
        offerId: input.offerId,
        planId: input.planId,
        quantity: input.quantity,
        saasSubscriptionStatus: 'PendingFulfillmentStart',
        purchaser: input.purchaser,
        beneficiary: input.purchaser,
        created: now,
        lastModified: now,
      });
      // Real tokens are long and carry characters that need URL encoding on the landing page.
      const token = `${randomBytes(48).toString('base64')}+/=`;
      purchaseTokens.set(token, { subscriptionId: id, expiresAt: Date.now() + 24 * 3600_000 });
      return { token, subscriptionId: id };
    },
    async raise(subscriptionId, action, change = {}) {
      const subscription = subscriptions.get(subscriptionId);
      if (subscription === undefined) throw new Error(`no subscription ${subscriptionId}`);
      const operation: FakeOperation = {
        id: randomUUID(),
        activityId: randomUUID(),
        subscriptionId,
        publisherId,
        offerId: subscription.offerId,
        planId: change.planId ?? subscription.planId,
        quantity: change.quantity ?? subscription.quantity,
        action,
        status: 'Succeeded',
        timeStamp: new Date().toISOString(),
      };
      if (action === 'ChangePlan' || action === 'ChangeQuantity') {
        operation.status = 'InProgress';
      } else if (action === 'Suspend') {
        subscription.saasSubscriptionStatus = 'Suspended';
      } else if (action === 'Reinstate') {
        subscription.saasSubscriptionStatus = 'Subscribed';
      } else if (action === 'Unsubscribe') {
        subscription.saasSubscriptionStatus = 'Unsubscribed';
      }
      touch(subscription);
      operations.set(operation.id, operation);
      return { operation: { ...operation }, webhook: await webhookCallFor(operation) };
    },
    webhookCallFor,
    subscription: (id) => {
      const found = subscriptions.get(id);
      return found === undefined ? undefined : { ...found };
    },
    operation: (id) => {
      const found = operations.get(id);
      return found === undefined ? undefined : { ...found };
    },
    failNext(count, status) {
      failures = { count, status };
    },
    requests: () => [...recorded],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

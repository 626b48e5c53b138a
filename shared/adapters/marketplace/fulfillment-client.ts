import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  MarketplacePurchaseTokenInvalidError,
  MarketplaceUnavailableError,
  type ActivationOutcome,
  type MarketplaceFulfillment,
  type MarketplaceOperation,
  type MarketplaceSubscription,
  type OperationUpdateOutcome,
  type ResolvedPurchase,
} from '../../domain/marketplace-fulfillment.js';
import { marketplaceSubscriptionStatusSchema } from '../../domain/marketplace-subscription.js';
import { backoffMs, retryAfterMsOf, type RetryPolicy } from '../openai/openai-retry.js';
import { MarketplaceTokenError, type MarketplaceTokenProvider } from './marketplace-token-provider.js';

/** The Fulfillment API version this client speaks. */
export const FULFILLMENT_API_VERSION = '2018-08-31';

/** 429 and 5xx answers and lost connections are retried; a Retry-After longer than a minute fails the call instead. */
const RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };
const REQUEST_TIMEOUT_MS = 15_000;

/** The Marketplace sends quantities as numbers or as strings ("25", "" when not relevant). */
const quantity = z
  .union([z.number(), z.string()])
  .nullish()
  .transform((v) => {
    if (v === null || v === undefined || v === '') return undefined;
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isInteger(n) && n >= 0 ? n : undefined;
  });

const party = z
  .object({ emailId: z.string().nullish(), objectId: z.string().nullish(), tenantId: z.string().nullish() })
  .nullish()
  .transform((p) => ({
    ...(p?.emailId ? { emailId: p.emailId } : {}),
    ...(p?.objectId ? { objectId: p.objectId } : {}),
    ...(p?.tenantId ? { tenantId: p.tenantId } : {}),
  }));

const subscriptionBody = z.object({
  id: z.string().min(1),
  name: z.string().nullish(),
  offerId: z.string().min(1),
  planId: z.string().min(1),
  quantity,
  saasSubscriptionStatus: marketplaceSubscriptionStatusSchema,
  purchaser: party,
  beneficiary: party,
});

const resolveBody = z.object({
  id: z.string().min(1),
  subscriptionName: z.string().nullish(),
  offerId: z.string().min(1),
  planId: z.string().min(1),
  quantity,
  subscription: subscriptionBody,
});

const operationBody = z.object({
  id: z.string().min(1),
  subscriptionId: z.string().min(1),
  action: z.string().min(1),
  status: z.string().min(1),
  planId: z.string().nullish(),
  quantity,
  timeStamp: z.string(),
});

function toSubscription(body: z.output<typeof subscriptionBody>): MarketplaceSubscription {
  return {
    id: body.id,
    name: body.name ?? '',
    offerId: body.offerId,
    planId: body.planId,
    quantity: body.quantity,
    status: body.saasSubscriptionStatus,
    purchaser: body.purchaser,
    beneficiary: body.beneficiary,
  };
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

export interface FulfillmentClientOptions {
  /** Base of the Marketplace API, e.g. `https://marketplaceapi.microsoft.com/api`. */
  readonly apiUrl: string;
  readonly tokens: MarketplaceTokenProvider;
  /** Waits between retries (tests pass a short one). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * The SaaS Fulfillment API v2 over HTTP: `POST subscriptions/resolve` (header `x-ms-marketplace-token`),
 * `POST subscriptions/{id}/activate`, `GET subscriptions/{id}`, `GET|PATCH subscriptions/{id}/operations/{operationId}`,
 * all with `api-version=2018-08-31`, a bearer token for the Marketplace resource, and `x-ms-requestid` /
 * `x-ms-correlationid` so that a call can be traced with Microsoft support. Answers are parsed, never trusted.
 */
export class HttpMarketplaceFulfillment implements MarketplaceFulfillment {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: FulfillmentClientOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async resolve(purchaseToken: string): Promise<ResolvedPurchase> {
    const answer = await this.send('resolve', 'POST', 'subscriptions/resolve', {
      // The landing page receives the token URL-encoded; the API wants it decoded (once).
      headers: { 'x-ms-marketplace-token': purchaseToken },
    });
    if (answer.status === 400 || answer.status === 404) throw new MarketplacePurchaseTokenInvalidError();
    const body = this.expect('resolve', answer, resolveBody);
    return {
      subscriptionId: body.id,
      offerId: body.offerId,
      planId: body.planId,
      quantity: body.quantity,
      subscription: toSubscription({ ...body.subscription, name: body.subscription.name ?? body.subscriptionName }),
    };
  }

  async activate(subscriptionId: string, planId: string, quantity: number | undefined): Promise<ActivationOutcome> {
    const answer = await this.send('activate', 'POST', `subscriptions/${encodeURIComponent(subscriptionId)}/activate`, {
      body: { planId, ...(quantity === undefined ? {} : { quantity: String(quantity) }) },
    });
    if (answer.status >= 200 && answer.status < 300) return { kind: 'activated' };
    if (answer.status === 400 || answer.status === 409) return { kind: 'refused', status: answer.status };
    throw new MarketplaceUnavailableError('activate', answer.status);
  }

  async getSubscription(subscriptionId: string): Promise<MarketplaceSubscription | undefined> {
    const answer = await this.send('get subscription', 'GET', `subscriptions/${encodeURIComponent(subscriptionId)}`);
    if (answer.status === 404) return undefined;
    return toSubscription(this.expect('get subscription', answer, subscriptionBody));
  }

  async getOperation(subscriptionId: string, operationId: string): Promise<MarketplaceOperation | undefined> {
    const answer = await this.send(
      'get operation',
      'GET',
      `subscriptions/${encodeURIComponent(subscriptionId)}/operations/${encodeURIComponent(operationId)}`,
    );
    if (answer.status === 404 || answer.status === 400) return undefined;
    const body = this.expect('get operation', answer, operationBody);
    return {
      id: body.id,
      subscriptionId: body.subscriptionId,
      action: body.action,
      status: body.status,
      planId: body.planId ?? undefined,
      quantity: body.quantity,
      timeStamp: body.timeStamp,
    };
  }

  async updateOperation(subscriptionId: string, operationId: string, status: 'Success' | 'Failure'): Promise<OperationUpdateOutcome> {
    const answer = await this.send(
      'update operation',
      'PATCH',
      `subscriptions/${encodeURIComponent(subscriptionId)}/operations/${encodeURIComponent(operationId)}`,
      { body: { status } },
    );
    if (answer.status >= 200 && answer.status < 300) return 'updated';
    // 409: the operation was already completed (or a newer one was); 400: it is not in a state that takes an update.
    if (answer.status === 409 || answer.status === 400) return 'notPending';
    throw new MarketplaceUnavailableError('update operation', answer.status);
  }

  private expect<S extends z.ZodType>(operation: string, answer: Answer, schema: S): z.output<S> {
    if (answer.status !== 200) throw new MarketplaceUnavailableError(operation, answer.status);
    const parsed = schema.safeParse(answer.body);
    if (!parsed.success) throw new MarketplaceUnavailableError(`${operation} (unexpected answer)`, answer.status);
    return parsed.data;
  }

  /** One call with its retries. Answers other than 401 (once, with a fresh token), 429 and 5xx go back to the caller. */
  private async send(
    operation: string,
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    init: { headers?: Record<string, string>; body?: unknown } = {},
  ): Promise<Answer> {
    const url = `${this.options.apiUrl}/saas/${path}?api-version=${FULFILLMENT_API_VERSION}`;
    const correlationId = randomUUID();
    let refreshedToken = false;
    for (let attempt = 1; ; attempt += 1) {
      let token: string;
      try {
        token = await this.options.tokens.getToken();
      } catch (err) {
        throw new MarketplaceUnavailableError(`${operation} (token)`, err instanceof MarketplaceTokenError ? err.status : undefined);
      }
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'x-ms-requestid': randomUUID(),
            'x-ms-correlationid': correlationId,
            ...init.headers,
          },
          ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch {
        // The connection was lost or timed out: the request may not have arrived, and every call here is safe to repeat.
        if (attempt >= RETRY_POLICY.maxAttempts) throw new MarketplaceUnavailableError(operation, undefined);
        await this.sleep(backoffMs(attempt, RETRY_POLICY));
        continue;
      }
      if (response.status === 401 && !refreshedToken) {
        // A token revoked or rotated before its expiry: one more try with a new one.
        refreshedToken = true;
        this.options.tokens.invalidate();
        await response.body?.cancel();
        continue;
      }
      if (response.status === 429 || response.status >= 500) {
        const retryAfter = retryAfterMsOf(response.headers);
        await response.body?.cancel();
        if (attempt >= RETRY_POLICY.maxAttempts || (retryAfter !== undefined && retryAfter > RETRY_POLICY.maxRetryAfterMs)) {
          throw new MarketplaceUnavailableError(operation, response.status);
        }
        await this.sleep(retryAfter ?? backoffMs(attempt, RETRY_POLICY));
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        await response.body?.cancel();
        throw new MarketplaceUnavailableError(`${operation} (not authorized: check the offer's technical configuration)`, response.status);
      }
      const text = await response.text();
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: response.status, body };
    }
  }
}

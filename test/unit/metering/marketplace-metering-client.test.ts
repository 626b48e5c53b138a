import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMarketplaceTokenProvider } from '../../../shared/adapters/marketplace/marketplace-token-provider.js';
import { MarketplaceMeteringClient } from '../../../shared/adapters/metering/marketplace-metering-client.js';
import type { MeteringItem } from '../../../shared/domain/metering.js';
import { startFakeEntraIssuer, type FakeEntraIssuer } from '../../fakes/entra-issuer.js';
import { startFakeMeteringApi, type FakeMeteringApi } from '../../fakes/marketplace-metering.js';

const APP = 'marketplace-app-unit';
const SUB = 'sub-1';
const HOUR = 3_600_000;
const lastHour = new Date(Math.floor(Date.now() / HOUR) * HOUR - HOUR).toISOString();
const dayOld = new Date(Math.floor(Date.now() / HOUR) * HOUR - 30 * HOUR).toISOString();

let entra: FakeEntraIssuer;
let api: FakeMeteringApi;
let client: MarketplaceMeteringClient;

const item = (overrides: Partial<MeteringItem> = {}): MeteringItem => ({
  resourceId: SUB,
  eventId: `hostedLlmMinutes:${lastHour}`,
  dimension: 'hostedLlmMinutes',
  hour: lastHour,
  quantity: 12,
  planId: 'basic',
  ...overrides,
});

const clientWith = (audience: string) =>
  new MarketplaceMeteringClient({
    apiUrl: api.apiUrl,
    tokens: createMarketplaceTokenProvider(
      { authorityUrl: entra.baseUrl, tenantId: entra.tenantId, clientId: 'publisher', clientSecret: 'secret', appId: audience },
      () => {
        throw new Error('no managed identity');
      },
    ),
  });

beforeAll(async () => {
  entra = await startFakeEntraIssuer();
  entra.addClient('publisher', 'secret');
  api = await startFakeMeteringApi({ issuer: entra.issuer, jwksUrl: entra.jwksUrl, audience: APP });
  api.addSubscription(SUB, 'basic');
  client = clientWith(APP);
});

afterAll(async () => {
  await api.close();
  await entra.close();
});

describe('the Metering API client against the Marketplace fake', () => {
  it('reads every item status of one call: Accepted, Duplicate with the original quantity, Expired, ResourceNotFound, InvalidDimension', async () => {
    const first = await client.batchUsageEvent([item()]);
    expect(first).toEqual({ kind: 'results', results: [expect.objectContaining({ status: 'Accepted', usageEventId: expect.any(String) })] });
    const second = await client.batchUsageEvent([
      item({ quantity: 13 }),
      item({ hour: dayOld, eventId: `hostedLlmMinutes:${dayOld}` }),
      item({ resourceId: 'sub-unknown' }),
      item({ dimension: 'byoLlmMinutes', eventId: `byoLlmMinutes:${lastHour}`, planId: 'basic' }),
    ]);
    expect(second.kind).toBe('results');
    const statuses = second.kind === 'results' ? second.results : [];
    expect(statuses.map((r) => r.status)).toEqual(['Duplicate', 'Expired', 'ResourceNotFound', 'Accepted']);
    expect(statuses[0]).toMatchObject({ acceptedQuantity: 12 });
  });

  it('more than 25 items is a 400 for the whole call; 429 and 5xx are retried later', async () => {
    const many = Array.from({ length: 26 }, (_, i) => item({ resourceId: `r${i}` }));
    expect(await client.batchUsageEvent(many)).toMatchObject({ kind: 'rejected', status: 400 });
    api.failNext(429);
    expect(await client.batchUsageEvent([item()])).toEqual({ kind: 'retry', reason: 'HTTP 429' });
    api.failNext(503);
    expect(await client.batchUsageEvent([item()])).toEqual({ kind: 'retry', reason: 'HTTP 503' });
  });

  it('a token for another audience is refused and the call is retried later, never counted', async () => {
    const before = api.accepted().length;
    const outcome = await clientWith('some-other-app').batchUsageEvent([item({ hour: lastHour, dimension: 'hostedLlmMinutes', quantity: 5, resourceId: SUB })]);
    expect(outcome).toEqual({ kind: 'retry', reason: 'HTTP 401' });
    expect(api.accepted()).toHaveLength(before);
  });

  it('reports the usage the Marketplace holds per resource, dimension and day', async () => {
    const day = lastHour.slice(0, 10);
    const report = await client.usageReport(day, day);
    expect(report).toEqual(expect.arrayContaining([{ resourceId: SUB, dimension: 'hostedLlmMinutes', day, quantity: 12 }]));
  });
});

import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type {
  MarketplaceUsageRecord,
  MeteringApi,
  MeteringCallOutcome,
  MeteringItem,
  MeteringItemResult,
} from '../../domain/metering.js';

/**
 * The Azure Marketplace Metering API over HTTPS: `POST <api>/batchUsageEvent?api-version=2018-08-31` with
 * `{request: [{resourceId, quantity, dimension, effectiveStartTime, planId}]}` (at most 25 items), which answers 200
 * with a status per item even when items fail; and the usage report (`GET <api>/usageEvents`) for reconciliation.
 * Our dimension names (`byoLlmMinutes`, `hostedLlmMinutes`) are the dimension ids of the offer's plans.
 */
export const METERING_API_VERSION = '2018-08-31';
const CALL_TIMEOUT_MS = 30_000;

export interface MeteringTokenSource {
  getToken(): Promise<string>;
  invalidate(): void;
}

const number = z.coerce.number();

const acceptedMessage = z
  .object({ usageEventId: z.string().optional(), quantity: number.optional() })
  .passthrough()
  .optional();

const resultSchema = z
  .object({
    status: z.string(),
    usageEventId: z.string().optional(),
    resourceId: z.string().optional(),
    resourceUri: z.string().optional(),
    dimension: z.string().optional(),
    effectiveStartTime: z.string().optional(),
    quantity: number.optional(),
    error: z
      .object({
        code: z.string().optional(),
        message: z.string().optional(),
        additionalInfo: z.object({ acceptedMessage }).passthrough().optional(),
        details: z.array(z.object({ message: z.string().optional() }).passthrough()).optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

const batchResponse = z.object({ count: number.optional(), result: z.array(resultSchema) }).passthrough();

const reportItem = z
  .object({
    usageDate: z.string(),
    usageResourceId: z.string().optional(),
    resourceId: z.string().optional(),
    dimension: z.string(),
    processedQuantity: number.optional(),
    submittedQuantity: number.optional(),
  })
  .passthrough();

const reportResponse = z.union([z.array(reportItem), z.object({ value: z.array(reportItem) }).transform((v) => v.value)]);

const sameInstant = (a: string | undefined, b: string) => a !== undefined && Date.parse(a) === Date.parse(b);

function toItemResult(result: z.infer<typeof resultSchema>): MeteringItemResult {
  const accepted = result.error?.additionalInfo?.acceptedMessage;
  const message = result.error?.message ?? result.error?.details?.map((d) => d.message).filter(Boolean).join('; ');
  return {
    status: result.status,
    usageEventId: result.usageEventId ?? accepted?.usageEventId,
    acceptedQuantity: result.status === 'Duplicate' ? accepted?.quantity : undefined,
    ...(message === undefined || message === '' ? {} : { message }),
  };
}

export class MarketplaceMeteringClient implements MeteringApi {
  constructor(
    private readonly options: {
      /** Base of the Marketplace API, e.g. `https://marketplaceapi.microsoft.com/api`. */
      readonly apiUrl: string;
      readonly tokens: MeteringTokenSource;
    },
  ) {}

  async batchUsageEvent(items: readonly MeteringItem[]): Promise<MeteringCallOutcome> {
    const body = {
      request: items.map((i) => ({
        resourceId: i.resourceId,
        quantity: i.quantity,
        dimension: i.dimension,
        effectiveStartTime: i.hour,
        planId: i.planId,
      })),
    };
    let response: Response;
    try {
      const token = await this.options.tokens.getToken();
      response = await fetch(`${this.options.apiUrl}/batchUsageEvent?api-version=${METERING_API_VERSION}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'x-ms-requestid': randomUUID(),
          'x-ms-correlationid': randomUUID(),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
    } catch (err) {
      // No answer (lost connection, timeout, no token): whether the Marketplace took the items is unknown.
      return { kind: 'retry', reason: err instanceof Error ? `${err.name}: ${err.message}` : 'the call failed' };
    }
    if (response.status === 401 || response.status === 403) {
      this.options.tokens.invalidate();
      return { kind: 'retry', reason: `HTTP ${response.status}` };
    }
    if (response.status === 429 || response.status >= 500) return { kind: 'retry', reason: `HTTP ${response.status}` };
    if (!response.ok) {
      const text = (await response.text().catch(() => '')).slice(0, 500);
      return { kind: 'rejected', status: response.status, reason: text === '' ? `HTTP ${response.status}` : text };
    }
    const parsed = batchResponse.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) return { kind: 'retry', reason: 'the answer was not a batch usage result' };
    const results = parsed.data.result;
    // Results are matched to items by resource, dimension and hour (the order is not promised), else by position.
    const used = new Set<number>();
    const ordered = items.map((item, index) => {
      let at = results.findIndex(
        (r, i) =>
          !used.has(i) &&
          (r.resourceId ?? r.resourceUri) === item.resourceId &&
          r.dimension === item.dimension &&
          sameInstant(r.effectiveStartTime ?? (r.error?.additionalInfo?.acceptedMessage?.['effectiveStartTime'] as string | undefined), item.hour),
      );
      if (at < 0 && !used.has(index) && results[index] !== undefined) at = index;
      if (at < 0) return { status: 'Error', message: 'The Marketplace gave no result for this item.' } satisfies MeteringItemResult;
      used.add(at);
      return toItemResult(results[at]!);
    });
    return { kind: 'results', results: ordered };
  }

  async usageReport(fromDay: string, toDay: string): Promise<MarketplaceUsageRecord[]> {
    const token = await this.options.tokens.getToken();
    const query = new URLSearchParams({ 'api-version': METERING_API_VERSION, usageStartDate: fromDay, usageEndDate: toDay });
    const response = await fetch(`${this.options.apiUrl}/usageEvents?${query.toString()}`, {
      headers: { authorization: `Bearer ${token}`, 'x-ms-requestid': randomUUID() },
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`The Marketplace usage report answered HTTP ${response.status}`);
    const parsed = reportResponse.safeParse(await response.json());
    if (!parsed.success) throw new Error('The Marketplace usage report is not in the expected shape');
    return parsed.data.map((r) => ({
      resourceId: r.usageResourceId ?? r.resourceId ?? '',
      dimension: r.dimension,
      day: r.usageDate.slice(0, 10),
      quantity: r.processedQuantity ?? r.submittedQuantity ?? 0,
    }));
  }
}

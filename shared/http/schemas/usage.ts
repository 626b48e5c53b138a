import { z } from 'zod';
import { orgPathParams } from './organization.js';
import { timestamp } from './common.js';

const isoTime = z
  .string()
  .refine((v) => /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(v) && !Number.isNaN(Date.parse(v)), {
    message: 'must be an ISO 8601 date or UTC date-time',
  });

export const usageQuerySchema = z.strictObject({
  from: isoTime.optional().describe('start (inclusive), rounded down to the bucket; default: 24 hours (hour) or 30 days (day) before `to`'),
  to: isoTime.optional().describe('end (exclusive), rounded up to the bucket; default: the end of the current bucket'),
  granularity: z.enum(['hour', 'day']).default('hour').describe('bucket size (UTC)'),
});

const dimensionUsage = z.object({
  activeSeconds: z.number().int().describe('active seconds in the bucket'),
  minutes: z.number().int().describe("billed minutes: each session's active seconds rounded up to whole minutes, spread over its hours"),
  amountMicros: z.number().int().describe('minutes × the price, in micro-dollars'),
  amount: z.number().describe('amountMicros in dollars'),
});

const dimensions = z.object({ byoLlmMinutes: dimensionUsage, hostedLlmMinutes: dimensionUsage });

const usageReport = {
  from: timestamp,
  to: timestamp,
  granularity: z.enum(['hour', 'day']),
  currency: z.literal('USD'),
  prices: z.object({ byoLlmMinutes: z.object({ microsPerMinute: z.number().int() }), hostedLlmMinutes: z.object({ microsPerMinute: z.number().int() }) }),
  totals: z.object({ dimensions, amountMicros: z.number().int(), amount: z.number() }),
  buckets: z.array(z.object({ start: timestamp, end: timestamp, dimensions, amountMicros: z.number().int() })).describe('buckets with usage only, oldest first'),
};

export const projectUsageResponse = z.object({ projectId: z.string(), ...usageReport });

export const organizationUsageResponse = z.object({
  orgId: z.string(),
  ...usageReport,
  projects: z.array(z.object({ projectId: z.string(), name: z.string(), minutes: z.number().int(), amountMicros: z.number().int() })),
});

export const organizationUsageParams = orgPathParams;

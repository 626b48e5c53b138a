import type { ApiKeyPrincipal } from '../domain/api-key-principal.js';
import type { Clock } from '../domain/clock.js';
import { ValidationError } from '../domain/errors.js';
import type { ManagePrincipal } from '../domain/identity.js';
import { MAX_PAGE_SIZE } from '../domain/page.js';
import type { ProjectRepository } from '../domain/project-repository.js';
import { HOUR_MS, hourStartOf, scopeKeyOf, type UsageHour, type UsageHourRepository } from '../domain/usage.js';
import {
  amountMicrosOf,
  PRICE_MICROS_PER_MINUTE_BY_DIMENSION,
  USAGE_DIMENSIONS,
  type UsageDimension,
} from '../domain/usage-prices.js';
import type { OrganizationAccess } from './organization-access.js';

export type UsageGranularity = 'hour' | 'day';

export interface UsageQuery {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly granularity?: UsageGranularity | undefined;
}

export interface DimensionUsage {
  readonly activeSeconds: number;
  /** Billed minutes (each session's active seconds rounded up to whole minutes, spread over its hours). */
  readonly minutes: number;
  readonly amountMicros: number;
  readonly amount: number;
}

export interface UsageBucket {
  readonly start: string;
  readonly end: string;
  readonly dimensions: Readonly<Record<UsageDimension, DimensionUsage>>;
  readonly amountMicros: number;
}

export interface UsageReport {
  readonly from: string;
  readonly to: string;
  readonly granularity: UsageGranularity;
  readonly currency: 'USD';
  readonly prices: Readonly<Record<UsageDimension, { readonly microsPerMinute: number }>>;
  readonly totals: { readonly dimensions: Readonly<Record<UsageDimension, DimensionUsage>>; readonly amountMicros: number; readonly amount: number };
  /** Only the buckets with usage, oldest first. */
  readonly buckets: UsageBucket[];
}

const DAY_MS = 24 * HOUR_MS;
/** Longest range: 31 days by the hour (744 buckets), 366 days by the day. */
const MAX_RANGE_MS: Record<UsageGranularity, number> = { hour: 31 * DAY_MS, day: 366 * DAY_MS };
const DEFAULT_RANGE_MS: Record<UsageGranularity, number> = { hour: DAY_MS, day: 30 * DAY_MS };

const micros = (amountMicros: number) => amountMicros / 1_000_000;

function emptyDimensions(): Record<UsageDimension, { activeSeconds: number; minutes: number }> {
  return { byoLlmMinutes: { activeSeconds: 0, minutes: 0 }, hostedLlmMinutes: { activeSeconds: 0, minutes: 0 } };
}

function priced(sums: Record<UsageDimension, { activeSeconds: number; minutes: number }>): {
  dimensions: Record<UsageDimension, DimensionUsage>;
  amountMicros: number;
} {
  let amountMicros = 0;
  const dimensions = {} as Record<UsageDimension, DimensionUsage>;
  for (const dimension of USAGE_DIMENSIONS) {
    const sum = sums[dimension];
    const amount = amountMicrosOf(sum.minutes, dimension);
    amountMicros += amount;
    dimensions[dimension] = { activeSeconds: sum.activeSeconds, minutes: sum.minutes, amountMicros: amount, amount: micros(amount) };
  }
  return { dimensions, amountMicros };
}

export interface UsageReportsDeps {
  readonly usageHours: UsageHourRepository;
  readonly projects: ProjectRepository;
  readonly access: OrganizationAccess;
  readonly clock: Clock;
}

/** The usage API: a key's project (`GET /public/usage`) and an organization's projects (`/manage/orgs/{orgId}/usage`). */
export class UsageReports {
  constructor(private readonly deps: UsageReportsDeps) {}

  async forProject(principal: ApiKeyPrincipal, query: UsageQuery): Promise<UsageReport & { readonly projectId: string }> {
    const range = this.rangeOf(query);
    const hours = await this.deps.usageHours.listScope(scopeKeyOf({ kind: 'project', projectId: principal.projectId }), range.from, range.to);
    return { projectId: principal.projectId, ...this.report(range, hours) };
  }

  /** Admins only: every project of the organization, with each project's totals. */
  async forOrganization(
    principal: ManagePrincipal,
    orgId: string,
    query: UsageQuery,
  ): Promise<UsageReport & { readonly orgId: string; readonly projects: { projectId: string; name: string; amountMicros: number; minutes: number }[] }> {
    await this.deps.access.requireAdmin(principal, orgId);
    const range = this.rangeOf(query);
    const all: UsageHour[] = [];
    const projects: { projectId: string; name: string; amountMicros: number; minutes: number }[] = [];
    for (let pageIndex = 0; ; pageIndex += 1) {
      const page = await this.deps.projects.listByOrganization(orgId, { pageIndex, pageSize: MAX_PAGE_SIZE });
      for (const project of page.items) {
        const hours = await this.deps.usageHours.listScope(scopeKeyOf({ kind: 'project', projectId: project.id }), range.from, range.to);
        all.push(...hours);
        const sums = emptyDimensions();
        for (const h of hours) sums[h.dimension].minutes += h.minutes;
        const { amountMicros } = priced(sums);
        projects.push({ projectId: project.id, name: project.name, minutes: hours.reduce((n, h) => n + h.minutes, 0), amountMicros });
      }
      if ((pageIndex + 1) * MAX_PAGE_SIZE >= page.filteredCount || page.items.length === 0) break;
    }
    return { orgId, ...this.report(range, all), projects };
  }

  private rangeOf(query: UsageQuery): { from: string; to: string; granularity: UsageGranularity } {
    const granularity = query.granularity ?? 'hour';
    const unit = granularity === 'hour' ? HOUR_MS : DAY_MS;
    const floor = (t: number) => Math.floor(t / unit) * unit;
    const now = this.deps.clock.now().getTime();
    const toMs = query.to === undefined ? floor(now) + unit : Math.ceil(Date.parse(query.to) / unit) * unit;
    const fromMs = query.from === undefined ? toMs - DEFAULT_RANGE_MS[granularity] : floor(Date.parse(query.from));
    if (!(fromMs < toMs)) throw new ValidationError([{ path: 'from', message: 'must be before to' }]);
    if (toMs - fromMs > MAX_RANGE_MS[granularity]) {
      throw new ValidationError([{ path: 'to', message: `the range may span at most ${MAX_RANGE_MS[granularity] / DAY_MS} days with granularity ${granularity}` }]);
    }
    return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), granularity };
  }

  private report(range: { from: string; to: string; granularity: UsageGranularity }, hours: readonly UsageHour[]): UsageReport {
    const unit = range.granularity === 'hour' ? HOUR_MS : DAY_MS;
    const buckets = new Map<number, Record<UsageDimension, { activeSeconds: number; minutes: number }>>();
    const totals = emptyDimensions();
    for (const h of hours) {
      if (h.seconds === 0 && h.minutes === 0) continue;
      const start = Math.floor(hourStartOf(Date.parse(h.hour)) / unit) * unit;
      const bucket = buckets.get(start) ?? emptyDimensions();
      bucket[h.dimension].activeSeconds += h.seconds;
      bucket[h.dimension].minutes += h.minutes;
      totals[h.dimension].activeSeconds += h.seconds;
      totals[h.dimension].minutes += h.minutes;
      buckets.set(start, bucket);
    }
    const total = priced(totals);
    return {
      from: range.from,
      to: range.to,
      granularity: range.granularity,
      currency: 'USD',
      prices: {
        byoLlmMinutes: { microsPerMinute: PRICE_MICROS_PER_MINUTE_BY_DIMENSION.byoLlmMinutes },
        hostedLlmMinutes: { microsPerMinute: PRICE_MICROS_PER_MINUTE_BY_DIMENSION.hostedLlmMinutes },
      },
      totals: { ...total, amount: micros(total.amountMicros) },
      buckets: [...buckets.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([start, sums]) => ({
          start: new Date(start).toISOString(),
          end: new Date(start + unit).toISOString(),
          ...priced(sums),
        })),
    };
  }
}

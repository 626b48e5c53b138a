/**
 * Usage and billing (admins): billed minutes and cost per UTC day for the organization (all its projects) or for the
 * selected project, split by dimension (a customer-hosted model, byoLlmMinutes; the platform's, hostedLlmMinutes),
 * with the totals and the prices. The charts are SVG with a text summary and a data table.
 */
import { useState } from 'preact/hooks';
import { api, query, type Json } from '../api';
import type { PageProps } from '../app';
import { StackedBarChart } from '../charts';
import { link } from '../router';
import { ErrorNote, Loading, PageHeader, Section, SelectField, Table, formatMoney, useLoad } from '../ui';
import { useWorkspace } from '../workspace';
import './usage.css';

type Range = '7' | '30';
type Scope = 'org' | 'project';

const DIMENSIONS = [
  { key: 'byoLlmMinutes', name: 'Your own model (byoLlmMinutes)', short: 'Own model', variant: '' as const },
  { key: 'hostedLlmMinutes', name: 'Hosted model (hostedLlmMinutes)', short: 'Hosted model', variant: 'alt' as const },
] as const;

const DAY_MS = 86_400_000;

/** The UTC days of the range: from `days - 1` days ago through today. */
export function daysOf(days: number, now = new Date()): { from: string; to: string; starts: string[] } {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const first = today - (days - 1) * DAY_MS;
  const starts = Array.from({ length: days }, (_, i) => new Date(first + i * DAY_MS).toISOString().slice(0, 10));
  return { from: new Date(first).toISOString(), to: new Date(today + DAY_MS).toISOString(), starts };
}

const dayLabel = (day: string) => {
  const date = new Date(`${day}T00:00:00Z`);
  return date.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
};

const minutes = (value: number) => `${Math.round(value * 100) / 100} min`;
const dollars = (value: number) => formatMoney(value);

export function UsagePage(_props: PageProps) {
  const { org, project } = useWorkspace();
  const [range, setRange] = useState<Range>('7');
  const [scope, setScope] = useState<Scope>('org');
  const orgId = org?.id as string;
  const projectId = project?.id as string | undefined;
  const usage = useLoad(async () => {
    const { from, to } = daysOf(Number(range));
    const params = query({ granularity: 'day', from, to });
    if (scope === 'project' && projectId !== undefined) return api('GET', `/public/usage${params}`, { project: projectId });
    return api('GET', `/manage/orgs/${encodeURIComponent(orgId)}/usage${params}`);
  }, [orgId, projectId, range, scope]);

  const { starts } = daysOf(Number(range));
  const data: Json | undefined = usage.data;
  const byDay = new Map<string, Json>(((data?.buckets ?? []) as Json[]).map((b) => [String(b.start).slice(0, 10), b]));
  const labels = starts.map(dayLabel);
  const series = (field: 'minutes' | 'amount') =>
    DIMENSIONS.map((d) => ({
      name: d.short,
      variant: d.variant,
      values: starts.map((day) => {
        const dim = byDay.get(day)?.dimensions?.[d.key];
        if (dim === undefined) return 0;
        return field === 'minutes' ? (dim.minutes as number) : typeof dim.amount === 'number' ? dim.amount : (dim.amountMicros as number) / 1_000_000;
      }),
    }));

  const scopeName = scope === 'project' ? `project ${(project?.name as string | undefined) ?? ''}`.trim() : `organization ${(org?.name as string | undefined) ?? ''}`.trim();

  return (
    <>
      <PageHeader title="Usage and billing" description="Active minutes and what they cost, per UTC day. Sessions are billed by active time, rounded up to whole minutes per session.">
        <a href={link('sessions')}>Sessions</a>
      </PageHeader>
      <Section title="Period">
        <div class="row">
          <SelectField
            label="Range"
            value={range}
            onChange={setRange}
            options={[
              { value: '7', label: 'Last 7 days' },
              { value: '30', label: 'Last 30 days' },
            ]}
          />
          <SelectField
            label="Scope"
            value={scope}
            onChange={setScope}
            options={[
              { value: 'org', label: 'The whole organization' },
              ...(project === undefined ? [] : [{ value: 'project' as const, label: `This project (${project.name as string})` }]),
            ]}
          />
        </div>
      </Section>
      <ErrorNote error={usage.error} />
      {data === undefined && usage.error === undefined ? <Loading what="usage" /> : null}
      {data !== undefined ? (
        <>
          <Section title="Totals">
            <p class="muted">
              For the {scopeName}, {dayLabel(starts[0]!)} to {dayLabel(starts[starts.length - 1]!)} (UTC).
            </p>
            <div class="usage-totals grid">
              <div class="stat">
                <span class="muted">Total cost</span>
                <strong data-testid="total-cost">{dollars(typeof data.totals.amount === 'number' ? data.totals.amount : data.totals.amountMicros / 1_000_000)}</strong>
              </div>
              <div class="stat">
                <span class="muted">Billed minutes</span>
                <strong data-testid="total-minutes">{DIMENSIONS.reduce((sum, d) => sum + ((data.totals.dimensions?.[d.key]?.minutes as number | undefined) ?? 0), 0)}</strong>
              </div>
            </div>
            <Table caption="Totals per dimension" headers={['Dimension', 'Active seconds', 'Billed minutes', 'Price per minute', 'Cost']} rows={DIMENSIONS.length}>
              {DIMENSIONS.map((d) => {
                const dim = data.totals.dimensions?.[d.key] ?? {};
                const price = data.prices?.[d.key]?.microsPerMinute as number | undefined;
                return (
                  <tr key={d.key}>
                    <th scope="row">{d.name}</th>
                    <td>{dim.activeSeconds ?? 0}</td>
                    <td>{dim.minutes ?? 0}</td>
                    <td>{price === undefined ? '—' : formatMoney(price / 1_000_000)}</td>
                    <td>{dollars(typeof dim.amount === 'number' ? dim.amount : (dim.amountMicros ?? 0) / 1_000_000)}</td>
                  </tr>
                );
              })}
            </Table>
          </Section>
          <Section title="Minutes per day">
            <StackedBarChart title="Billed minutes per day" labels={labels} series={series('minutes')} format={minutes} />
          </Section>
          <Section title="Cost per day">
            <StackedBarChart title="Cost per day (USD)" labels={labels} series={series('amount')} format={dollars} />
          </Section>
          {scope === 'org' && Array.isArray(data.projects) && data.projects.length > 0 ? (
            <Section title="Per project">
              <Table caption="Usage per project" headers={['Project', 'Billed minutes', 'Cost']} rows={data.projects.length}>
                {(data.projects as Json[]).map((p) => (
                  <tr key={p.projectId}>
                    <th scope="row">{p.name ?? p.projectId}</th>
                    <td>{p.minutes}</td>
                    <td>{dollars((p.amountMicros as number) / 1_000_000)}</td>
                  </tr>
                ))}
              </Table>
            </Section>
          ) : null}
          <Section title="Prices">
            <ul>
              {DIMENSIONS.map((d) => {
                const price = data.prices?.[d.key]?.microsPerMinute as number | undefined;
                return (
                  <li key={d.key}>
                    {d.name}: {price === undefined ? '—' : `${formatMoney(price / 1_000_000)} per active minute`}
                  </li>
                );
              })}
            </ul>
            <p class="muted">
              Each session is billed its active seconds rounded up to whole minutes. See each session's transcript, active time and cost under{' '}
              <a href={link('sessions')}>Sessions</a>.
            </p>
          </Section>
        </>
      ) : null}
    </>
  );
}

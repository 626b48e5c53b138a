import { useState } from 'preact/hooks';
import { ApiError, api, type Json, type Page } from '../api';
import type { PageProps } from '../app';
import { ActionButton, CheckboxField, ErrorNote, Form, Loading, Notice, PageHeader, SecretOnce, Section, StatusBadge, Table, TextField, formatDate, useLoad } from '../ui';
import { useProjectId } from '../workspace';

const EVENTS = ['session.started', 'session.closed', 'companion.created', 'companion.updated', 'companion.deleted'] as const;

/** The project's webhook (admins only): where events are POSTed, signed with a secret shown once. */
export function WebhooksPage(_props: PageProps) {
  const projectId = useProjectId();
  const webhook = useLoad(async () => {
    try {
      return (await api<Json>('GET', `/manage/projects/${projectId}/webhook`)) ?? null;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }, [projectId]);
  const deliveries = useLoad(() => api<Page<Json>>('GET', `/manage/projects/${projectId}/webhook/deliveries?pageSize=20`), [projectId]);
  const [secret, setSecret] = useState<string>();
  return (
    <>
      <PageHeader title="Webhooks" description="Your endpoint gets a signed POST for each event: X-Webhook-Timestamp and X-Webhook-Signature: v1=<hex HMAC-SHA256 of timestamp.body>." />
      <ErrorNote error={webhook.error} />
      {webhook.data === undefined ? (
        <Loading what="the webhook" />
      ) : (
        <Section title={webhook.data === null ? 'Set up a webhook' : 'Webhook'}>
          <WebhookForm
            key={webhook.data?.etag ?? 'new'}
            current={webhook.data}
            onSave={async (body) => {
              const saved = await api<Json>('PUT', `/manage/projects/${projectId}/webhook`, { body, ifMatch: webhook.data?.etag });
              if (saved.secret !== undefined) setSecret(saved.secret);
              await webhook.reload();
            }}
          />
          {secret === undefined ? null : <SecretOnce label="The signing secret" value={secret} />}
          {webhook.data === null ? null : (
            <div class="actions">
              <ActionButton
                confirm="Make a new signing secret? Deliveries are signed with the old one too for 24 hours."
                onClick={async () => {
                  setSecret((await api<Json>('POST', `/manage/projects/${projectId}/webhook/secret`)).secret);
                  await webhook.reload();
                }}
              >
                Rotate secret
              </ActionButton>
              <ActionButton
                tone="danger"
                confirm="Delete the webhook? Nothing is delivered any more."
                onClick={async () => {
                  await api('DELETE', `/manage/projects/${projectId}/webhook`, { ifMatch: webhook.data?.etag });
                  setSecret(undefined);
                  await webhook.reload();
                }}
              >
                Delete webhook
              </ActionButton>
              <span class="muted">
                Secret made {formatDate(webhook.data.secretCreatedAt)}
                {webhook.data.previousSecretExpiresAt === undefined ? '' : `; the previous one is valid until ${formatDate(webhook.data.previousSecretExpiresAt)}`}
              </span>
            </div>
          )}
        </Section>
      )}
      {webhook.data === null || webhook.data === undefined ? null : <ErrorNote error={deliveries.error} />}
      {deliveries.data === undefined || webhook.data === null ? null : (
        <Section title="Recent deliveries" actions={<button type="button" class="plain" onClick={() => void deliveries.reload()}>Refresh deliveries</button>}>
          <Table caption="Recent deliveries" headers={['Event', 'Status', 'Attempts', 'Last answer', 'Occurred', 'Next attempt']} rows={deliveries.data.items.length} empty="Nothing delivered yet.">
            {deliveries.data.items.map((delivery) => (
              <tr key={delivery.id}>
                <th scope="row">
                  {delivery.type} <code class="muted">{delivery.id}</code>
                </th>
                <td>
                  <StatusBadge status={delivery.status} />
                </td>
                <td>{delivery.attempts}</td>
                <td>{delivery.lastStatus ?? delivery.lastError ?? '—'}</td>
                <td>{formatDate(delivery.occurredAt)}</td>
                <td>{formatDate(delivery.nextAttemptAt)}</td>
              </tr>
            ))}
          </Table>
        </Section>
      )}
    </>
  );
}

function WebhookForm(props: { current: Json | null; onSave: (body: Json) => Promise<void> }) {
  const [url, setUrl] = useState<string>(props.current?.url ?? '');
  const [events, setEvents] = useState<readonly string[]>(props.current?.events ?? EVENTS);
  const [enabled, setEnabled] = useState<boolean>(props.current?.enabled ?? true);
  return (
    <Form submitLabel="Save webhook" onSubmit={() => props.onSave({ url: url.trim(), events, enabled })}>
      <TextField label="Endpoint URL" type="url" required value={url} onInput={setUrl} placeholder="https://example.com/hooks/companion" />
      <fieldset>
        <legend>Events</legend>
        {EVENTS.map((event) => (
          <CheckboxField
            key={event}
            label={event}
            checked={events.includes(event)}
            onChange={(checked) => setEvents(checked ? [...events, event] : events.filter((e) => e !== event))}
          />
        ))}
      </fieldset>
      {events.length === 0 ? <Notice tone="warning">Choose at least one event.</Notice> : null}
      <CheckboxField label="Enabled" checked={enabled} onChange={setEnabled} hint="Turned off, the configuration is kept and nothing is delivered." />
    </Form>
  );
}

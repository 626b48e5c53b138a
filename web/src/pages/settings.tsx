import { useState } from 'preact/hooks';
import { api, type Json } from '../api';
import type { PageProps } from '../app';
import { CheckboxField, Dialog, ErrorNote, Form, Loading, Notice, PageHeader, Section, TextField, formatDate, useLoad } from '../ui';
import { useWorkspace } from '../workspace';

/** The organization's name and limits, and the digital-twin consent (admins only). */
export function SettingsPage(_props: PageProps) {
  const workspace = useWorkspace();
  const orgId = workspace.org?.id as string;
  const org = useLoad(() => api<Json>('GET', `/manage/orgs/${orgId}`), [orgId]);
  const consent = useLoad(() => api<Json>('GET', `/manage/orgs/${orgId}/digital-twin-consent`), [orgId]);
  const [consentOpen, setConsentOpen] = useState(false);
  return (
    <>
      <PageHeader title="Settings" description={`Organization ${workspace.org?.name ?? ''}`} />
      <ErrorNote error={org.error} />
      {org.data === undefined ? (
        <Loading what="the organization" />
      ) : (
        <Section title="Organization">
          <OrgForm
            key={org.data.etag}
            org={org.data}
            onSave={async (body) => {
              await api('PATCH', `/manage/orgs/${orgId}`, { body, ifMatch: org.data?.etag });
              await Promise.all([org.reload(), workspace.reload()]);
            }}
          />
        </Section>
      )}
      <Section title="Digital twins">
        <ErrorNote error={consent.error} />
        {consent.data === undefined ? (
          <Loading what="the consent" />
        ) : consent.data.granted ? (
          <>
            <Notice tone="success">
              Digital twins are enabled: consent given {formatDate(consent.data.grantedAt)}
              {consent.data.grantedBy === undefined ? '' : ` by ${consent.data.grantedBy}`}.
            </Notice>
            <button type="button" class="danger" onClick={() => setConsentOpen(true)}>
              Withdraw consent
            </button>
          </>
        ) : (
          <>
            <p>Digital twins clone a real person's likeness and voice. Until an admin consents for the organization, creating one fails with DigitalTwinConsentRequired.</p>
            <button type="button" class="primary" onClick={() => setConsentOpen(true)}>
              Enable digital twins
            </button>
          </>
        )}
      </Section>
      <Dialog title={consent.data?.granted ? 'Withdraw digital-twin consent' : 'Digital-twin consent'} open={consentOpen} onClose={() => setConsentOpen(false)}>
        <ConsentForm
          granted={consent.data?.granted === true}
          onDone={async () => {
            setConsentOpen(false);
            await consent.reload();
          }}
          orgId={orgId}
        />
      </Dialog>
    </>
  );
}

function OrgForm(props: { org: Json; onSave: (body: Json) => Promise<void> }) {
  const [name, setName] = useState<string>(props.org.name);
  const [rate, setRate] = useState<string>(String(props.org.settings.connectionRequestsPerSecondPerKey));
  const [sessions, setSessions] = useState<string>(String(props.org.settings.maxOpenSessionsPerChannelType));
  return (
    <Form
      submitLabel="Save settings"
      onSubmit={() =>
        props.onSave({
          name: name.trim(),
          settings: { connectionRequestsPerSecondPerKey: Number(rate), maxOpenSessionsPerChannelType: Number(sessions) },
        })
      }
    >
      <TextField label="Organization name" required value={name} onInput={setName} />
      <TextField label="Connection requests per second per API key" type="number" required value={rate} onInput={setRate} hint="1–100; more answer 429 RequestRateLimitExceeded." />
      <TextField label="Open sessions per channel type" type="number" required value={sessions} onInput={setSessions} hint="1–1000; more answer 409 ConcurrentSessionLimitReached." />
    </Form>
  );
}

function ConsentForm(props: { orgId: string; granted: boolean; onDone: () => Promise<void> }) {
  const [agreed, setAgreed] = useState(false);
  const [error, setError] = useState<unknown>();
  if (props.granted) {
    return (
      <Form
        submitLabel="Withdraw consent"
        onSubmit={async () => {
          await api('DELETE', `/manage/orgs/${props.orgId}/digital-twin-consent`);
          await props.onDone();
        }}
      >
        <p>New digital twins can no longer be created. Existing twins stay until you delete them.</p>
      </Form>
    );
  }
  return (
    <Form
      submitLabel="Give consent"
      onSubmit={async () => {
        setError(undefined);
        if (!agreed) {
          setError(new Error('Tick the box to confirm first.'));
          return;
        }
        await api('PUT', `/manage/orgs/${props.orgId}/digital-twin-consent`, { body: { granted: true } });
        await props.onDone();
      }}
    >
      <p>
        A digital twin is an avatar and a voice cloned from a real person. By enabling digital twins for this organization you confirm that you will create a
        twin only of a person who has given their informed, written consent to having their likeness and voice cloned, that each twin's voice recording begins
        with that person's spoken consent statement, and that you will delete a twin when its person withdraws consent.
      </p>
      <CheckboxField label="I confirm this on behalf of the organization" checked={agreed} onChange={setAgreed} />
      <ErrorNote error={error} />
    </Form>
  );
}

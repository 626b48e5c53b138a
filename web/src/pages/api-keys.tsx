import { useState } from 'preact/hooks';
import { api, type Json, type Page } from '../api';
import type { PageProps } from '../app';
import { ActionButton, CheckboxField, ErrorNote, Form, Loading, PageHeader, Pager, SecretOnce, Section, SelectField, Table, TextField, formatDate, useLoad } from '../ui';
import { useProjectId, useWorkspace } from '../workspace';

type Hosting = 'hosted' | 'custom';

/** The project's API keys (admins only): the secret is shown once, at creation. */
export function ApiKeysPage(_props: PageProps) {
  const projectId = useProjectId();
  const { project } = useWorkspace();
  const [pageIndex, setPageIndex] = useState(0);
  const { data, error, reload } = useLoad(() => api<Page<Json>>('GET', `/manage/projects/${projectId}/api-keys?pageSize=50&pageIndex=${pageIndex}`), [projectId, pageIndex]);
  const [created, setCreated] = useState<Json>();
  const [name, setName] = useState('');
  const [hosting, setHosting] = useState<Hosting>('hosted');
  const [endpoint, setEndpoint] = useState('');
  const [deployment, setDeployment] = useState('');
  const [realtimeDeployment, setRealtimeDeployment] = useState('');
  const [embeddingDeployment, setEmbeddingDeployment] = useState('');
  const [llmKey, setLlmKey] = useState('');
  const [managedIdentity, setManagedIdentity] = useState(false);
  return (
    <>
      <PageHeader title="API keys" description={`Keys of the project ${project?.name ?? ''}. Your application sends one in the X-Api-Key header; never put one in a browser.`} />
      <Section title="Create an API key">
        <Form
          submitLabel="Create API key"
          onSubmit={async () => {
            const llm =
              hosting === 'hosted'
                ? { hosting }
                : {
                    hosting,
                    endpoint: endpoint.trim(),
                    deployment: deployment.trim(),
                    ...(realtimeDeployment.trim() === '' ? {} : { realtimeDeployment: realtimeDeployment.trim() }),
                    ...(embeddingDeployment.trim() === '' ? {} : { embeddingDeployment: embeddingDeployment.trim() }),
                    ...(managedIdentity ? { useManagedIdentity: true } : { apiKey: llmKey }),
                  };
            setCreated(await api('POST', `/manage/projects/${projectId}/api-keys`, { body: { name: name.trim(), llm } }));
            setName('');
            setLlmKey('');
            await reload();
          }}
        >
          <TextField label="Key name" required value={name} onInput={setName} hint="For you to tell keys apart, e.g. production or staging." />
          <SelectField
            label="Language model"
            value={hosting}
            onChange={setHosting}
            options={[
              { value: 'hosted', label: 'Hosted by the platform ($0.058 per minute)' },
              { value: 'custom', label: 'Your own Azure OpenAI ($0.01 per minute)' },
            ]}
          />
          {hosting === 'custom' ? (
            <>
              <TextField label="Azure OpenAI endpoint" required type="url" value={endpoint} onInput={setEndpoint} placeholder="https://<resource>.openai.azure.com" />
              <TextField label="Chat deployment" required value={deployment} onInput={setDeployment} />
              <TextField label="Realtime deployment" value={realtimeDeployment} onInput={setRealtimeDeployment} />
              <TextField label="Embedding deployment" value={embeddingDeployment} onInput={setEmbeddingDeployment} />
              <CheckboxField label="Use the service's managed identity instead of a key" checked={managedIdentity} onChange={setManagedIdentity} />
              {managedIdentity ? null : <TextField label="Azure OpenAI key" type="password" required value={llmKey} onInput={setLlmKey} hint="Stored encrypted; never shown again." />}
            </>
          ) : null}
        </Form>
        {created === undefined ? null : <SecretOnce label={`The API key ${created.name}`} value={created.secret} />}
      </Section>
      <ErrorNote error={error} />
      {data === undefined ? (
        <Loading what="API keys" />
      ) : (
        <Section title="Keys">
          <Table caption="API keys" headers={['Name', 'Key', 'Model', 'Created', 'Last used', '']} rows={data.items.length} empty="No keys yet.">
            {data.items.map((key) => (
              <tr key={key.id}>
                <th scope="row">{key.name}</th>
                <td>
                  <code>
                    {key.prefix}…{key.last4}
                  </code>
                </td>
                <td>{key.hosting === 'hosted' ? 'hosted' : `custom: ${key.llm?.deployment ?? ''}`}</td>
                <td>{formatDate(key.createdAt)}</td>
                <td>{formatDate(key.lastUsedAt)}</td>
                <td>
                  <ActionButton
                    tone="danger"
                    confirm={`Revoke the key ${key.name}? Applications using it stop working at once.`}
                    onClick={async () => {
                      await api('DELETE', `/manage/projects/${projectId}/api-keys/${key.id}`);
                      await reload();
                    }}
                  >
                    Revoke {key.name}
                  </ActionButton>
                </td>
              </tr>
            ))}
          </Table>
          <Pager pageIndex={data.pageIndex} pageSize={data.pageSize} filteredCount={data.filteredCount} onPage={setPageIndex} />
        </Section>
      )}
    </>
  );
}

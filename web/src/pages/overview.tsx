import { useState } from 'preact/hooks';
import { api, type Json, type Page } from '../api';
import type { PageProps } from '../app';
import { link } from '../router';
import { ActionButton, Dialog, ErrorNote, Form, Loading, Notice, PageHeader, Section, Table, TextField, formatDate, useLoad } from '../ui';
import { useWorkspace } from '../workspace';

/** The organization's projects: every member sees them; admins create, edit and delete them. */
export function OverviewPage(_props: PageProps) {
  const workspace = useWorkspace();
  const orgId = workspace.org?.id as string;
  const { data, error, reload } = useLoad(() => api<Page<Json>>('GET', `/manage/orgs/${orgId}/projects?pageSize=100`), [orgId]);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Json>();
  const refresh = async (): Promise<void> => {
    await Promise.all([reload(), workspace.reload()]);
  };
  return (
    <>
      <PageHeader title="Projects" description={`Organization ${workspace.org?.name ?? ''}: each project has its own API keys, companions, knowledge and agents.`}>
        {workspace.isAdmin ? (
          <button type="button" class="primary" onClick={() => setCreating(true)}>
            New project
          </button>
        ) : null}
      </PageHeader>
      <ErrorNote error={error} />
      {data === undefined ? (
        <Loading what="projects" />
      ) : (
        <Section title="Projects of this organization">
          <Table caption="Projects" headers={['Name', 'Description', 'Created', '']} rows={data.items.length} empty="No projects yet.">
            {data.items.map((project) => (
              <tr key={project.id}>
                <th scope="row">
                  {project.name}
                  {project.id === workspace.project?.id ? <span class="badge success"> selected</span> : null}
                </th>
                <td>{project.description === '' ? <span class="muted">—</span> : project.description}</td>
                <td>{formatDate(project.createdAt)}</td>
                <td class="actions">
                  {project.id === workspace.project?.id ? null : (
                    <button type="button" class="plain" onClick={() => workspace.selectProject(project.id)}>
                      Use {project.name}
                    </button>
                  )}
                  {workspace.isAdmin ? (
                    <>
                      <button type="button" class="plain" onClick={() => setEditing(project)}>
                        Edit {project.name}
                      </button>
                      <ActionButton
                        tone="danger"
                        confirm={`Delete the project ${project.name}? Its API keys stop working at once, and its companions, knowledge, agents and sessions are deleted.`}
                        onClick={async () => {
                          await api('DELETE', `/manage/orgs/${orgId}/projects/${project.id}`, { ifMatch: project.etag });
                          await refresh();
                        }}
                      >
                        Delete {project.name}
                      </ActionButton>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </Table>
        </Section>
      )}
      {workspace.isAdmin ? null : <Notice>As a member you can browse companions, use the Playground and view projects. Admins manage keys, settings, billing and members.</Notice>}
      <Section title="Get started">
        <ol>
          <li>
            <a href={link('companions')}>Create a companion</a> or pick a stock one.
          </li>
          <li>
            Add <a href={link('knowledge')}>knowledge</a>, <a href={link('faqs')}>FAQs</a> and <a href={link('functions')}>functions</a>.
          </li>
          <li>
            <a href={link('agents')}>Assemble an agent</a> and try it in the <a href={link('playground')}>Playground</a>.
          </li>
          {workspace.isAdmin ? (
            <li>
              Create an <a href={link('api-keys')}>API key</a> for your application.
            </li>
          ) : null}
        </ol>
      </Section>
      <ProjectDialog
        open={creating}
        title="New project"
        onClose={() => setCreating(false)}
        onSave={async (name, description) => {
          const created = await api('POST', `/manage/orgs/${orgId}/projects`, { body: { name, description } });
          setCreating(false);
          await refresh();
          workspace.selectProject(created.id);
        }}
      />
      <ProjectDialog
        open={editing !== undefined}
        title="Edit project"
        project={editing}
        onClose={() => setEditing(undefined)}
        onSave={async (name, description) => {
          await api('PATCH', `/manage/orgs/${orgId}/projects/${editing?.id}`, { body: { name, description }, ifMatch: editing?.etag });
          setEditing(undefined);
          await refresh();
        }}
      />
    </>
  );
}

function ProjectDialog(props: { open: boolean; title: string; project?: Json; onClose: () => void; onSave: (name: string, description: string) => Promise<void> }) {
  return (
    <Dialog title={props.title} open={props.open} onClose={props.onClose}>
      <ProjectForm key={props.project?.id ?? 'new'} project={props.project} onSave={props.onSave} />
    </Dialog>
  );
}

function ProjectForm(props: { project?: Json; onSave: (name: string, description: string) => Promise<void> }) {
  const [name, setName] = useState<string>(props.project?.name ?? '');
  const [description, setDescription] = useState<string>(props.project?.description ?? '');
  return (
    <Form submitLabel="Save project" onSubmit={() => props.onSave(name.trim(), description.trim())}>
      <TextField label="Project name" required value={name} onInput={setName} />
      <TextField label="Project description" multiline rows={3} value={description} onInput={setDescription} />
    </Form>
  );
}

import { useState } from 'preact/hooks';
import { api, type Json, type Page } from '../api';
import type { PageProps } from '../app';
import { ActionButton, ErrorNote, Form, Loading, PageHeader, Pager, Section, SelectField, Table, TextField, formatDate, useLoad } from '../ui';
import { useWorkspace } from '../workspace';

type Role = 'admin' | 'member';
const ROLES: readonly { value: Role; label: string }[] = [
  { value: 'member', label: 'Member: browse, Playground, view projects' },
  { value: 'admin', label: 'Admin: everything, including keys, settings, billing and members' },
];

/** The organization's members and their roles (admins only). */
export function MembersPage(_props: PageProps) {
  const workspace = useWorkspace();
  const orgId = workspace.org?.id as string;
  const [pageIndex, setPageIndex] = useState(0);
  const { data, error, reload } = useLoad(() => api<Page<Json>>('GET', `/manage/orgs/${orgId}/members?pageSize=50&pageIndex=${pageIndex}`), [orgId, pageIndex]);
  const [email, setEmail] = useState('');
  const [userId, setUserId] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('member');
  return (
    <>
      <PageHeader title="Members" description="Who may sign in to this organization's dashboard, and as what." />
      <Section title="Add a member">
        <Form
          submitLabel="Add member"
          onSubmit={async () => {
            const body: Record<string, string> = { role };
            if (email.trim() !== '') body.email = email.trim();
            if (userId.trim() !== '') body.userId = userId.trim();
            if (name.trim() !== '') body.name = name.trim();
            await api('POST', `/manage/orgs/${orgId}/members`, { body });
            setEmail('');
            setUserId('');
            setName('');
            await reload();
          }}
        >
          <TextField label="Email" type="email" value={email} onInput={setEmail} hint="The member is bound to the Entra ID user whose token carries this email, at their first sign-in." />
          <TextField label="Entra object id" value={userId} onInput={setUserId} hint="Or the user's object id (oid), if you know it." />
          <TextField label="Display name" value={name} onInput={setName} />
          <SelectField label="Role" value={role} onChange={setRole} options={ROLES} />
        </Form>
      </Section>
      <ErrorNote error={error} />
      {data === undefined ? (
        <Loading what="members" />
      ) : (
        <Section title="Members">
          <Table caption="Members" headers={['Member', 'Role', 'Signed in', 'Added', '']} rows={data.items.length}>
            {data.items.map((member) => (
              <MemberRow key={member.id} orgId={orgId} member={member} isSelf={member.id === workspace.org?.memberId} onChanged={reload} />
            ))}
          </Table>
          <Pager pageIndex={data.pageIndex} pageSize={data.pageSize} filteredCount={data.filteredCount} onPage={setPageIndex} />
        </Section>
      )}
    </>
  );
}

function MemberRow(props: { orgId: string; member: Json; isSelf: boolean; onChanged: () => Promise<void> }) {
  const { member } = props;
  const label = member.name ?? member.email ?? member.userId ?? member.id;
  const [error, setError] = useState<unknown>();
  return (
    <tr>
      <th scope="row">
        {label}
        {props.isSelf ? <span class="muted"> (you)</span> : null}
        {member.email !== undefined && member.name !== undefined ? <div class="muted">{member.email}</div> : null}
      </th>
      <td>
        <label class="visually-hidden" for={`role-${member.id}`}>
          Role of {label}
        </label>
        <select
          id={`role-${member.id}`}
          value={member.role}
          onChange={(event) => {
            const role = event.currentTarget.value;
            setError(undefined);
            api('PATCH', `/manage/orgs/${props.orgId}/members/${member.id}`, { body: { role }, ifMatch: member.etag })
              .then(props.onChanged)
              .catch(async (err: unknown) => {
                setError(err);
                await props.onChanged();
              });
          }}
        >
          <option value="member">Member</option>
          <option value="admin">Admin</option>
        </select>
        <ErrorNote error={error} />
      </td>
      <td>{member.userId === undefined ? <span class="muted">not yet</span> : 'yes'}</td>
      <td>{formatDate(member.createdAt)}</td>
      <td>
        <ActionButton
          tone="danger"
          confirm={`Remove ${label} from the organization?`}
          onClick={async () => {
            await api('DELETE', `/manage/orgs/${props.orgId}/members/${member.id}`, { ifMatch: member.etag });
            await props.onChanged();
          }}
        >
          Remove {label}
        </ActionButton>
      </td>
    </tr>
  );
}

import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { api, describeError, type Json, type Page } from './api';

/** Who is signed in, the organization and project the pages work on, and the caller's role there. */
export interface Workspace {
  readonly me: Json;
  readonly orgs: readonly Json[];
  readonly org: Json | undefined;
  readonly projects: readonly Json[];
  readonly project: Json | undefined;
  readonly isAdmin: boolean;
  selectOrg(orgId: string): void;
  selectProject(projectId: string): void;
  /** Reads the organizations and projects again (after one was created, renamed or deleted). */
  reload(): Promise<void>;
}

const WorkspaceContext = createContext<Workspace | undefined>(undefined);

export function useWorkspace(): Workspace {
  const workspace = useContext(WorkspaceContext);
  if (workspace === undefined) throw new Error('useWorkspace outside WorkspaceProvider');
  return workspace;
}

/** The project every `/public` call of the pages goes to; the pages render only once one is selected. */
export function useProjectId(): string {
  const { project } = useWorkspace();
  if (project === undefined) throw new Error('no project selected');
  return project.id as string;
}

const ORG_KEY = 'companion.dashboard.org';
const PROJECT_KEY = 'companion.dashboard.project';

/** The organization to open with next (a Marketplace purchase just landed it). */
export function rememberOrganization(orgId: string): void {
  localStorage.setItem(ORG_KEY, orgId);
  localStorage.removeItem(PROJECT_KEY);
}

export function WorkspaceProvider(props: { children: ComponentChildren; fallback: (state: { error?: string }) => ComponentChildren }) {
  const [me, setMe] = useState<Json>();
  const [orgs, setOrgs] = useState<Json[]>([]);
  const [orgId, setOrgId] = useState<string | undefined>(localStorage.getItem(ORG_KEY) ?? undefined);
  const [projects, setProjects] = useState<Json[]>([]);
  const [projectId, setProjectId] = useState<string | undefined>(localStorage.getItem(PROJECT_KEY) ?? undefined);
  const [error, setError] = useState<string>();

  const load = useCallback(async () => {
    try {
      const [who, orgPage] = await Promise.all([api('GET', '/manage/me'), api<Page<Json>>('GET', '/manage/orgs?pageSize=100')]);
      setMe(who);
      setOrgs(orgPage.items);
      const org = orgPage.items.find((o) => o.id === orgId) ?? orgPage.items[0];
      setOrgId(org?.id);
      if (org !== undefined) {
        const projectPage = await api<Page<Json>>('GET', `/manage/orgs/${org.id}/projects?pageSize=100`);
        setProjects(projectPage.items);
        const project = projectPage.items.find((p) => p.id === projectId) ?? projectPage.items[0];
        setProjectId(project?.id);
      } else {
        setProjects([]);
        setProjectId(undefined);
      }
      setError(undefined);
    } catch (err) {
      setError(describeError(err));
    }
  }, [orgId, projectId]);

  useEffect(() => {
    void load();
    // Only on the organization's change: a project change needs no new lists.
  }, [orgId]);

  useEffect(() => {
    if (orgId !== undefined) localStorage.setItem(ORG_KEY, orgId);
    if (projectId !== undefined) localStorage.setItem(PROJECT_KEY, projectId);
  }, [orgId, projectId]);

  if (me === undefined) return <>{props.fallback({ error })}</>;
  const org = orgs.find((o) => o.id === orgId);
  const value: Workspace = {
    me,
    orgs,
    org,
    projects,
    project: projects.find((p) => p.id === projectId),
    isAdmin: org?.role === 'admin',
    selectOrg: (id) => {
      setProjectId(undefined);
      setOrgId(id);
    },
    selectProject: setProjectId,
    reload: load,
  };
  return <WorkspaceContext.Provider value={value}>{props.children}</WorkspaceContext.Provider>;
}

import type { ComponentChildren, FunctionComponent } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { isSignedIn, onAuthChange, signOut } from './auth';
import { link, useRoute, type Route } from './router';
import { AdminOnly, ErrorNote, Loading } from './ui';
import { useWorkspace, WorkspaceProvider } from './workspace';
import { AgentsPage } from './pages/agents';
import { ApiKeysPage } from './pages/api-keys';
import { CompanionsPage } from './pages/companions';
import { FaqsPage } from './pages/faqs';
import { FunctionsPage } from './pages/functions';
import { KnowledgePage } from './pages/knowledge';
import { MembersPage } from './pages/members';
import { OverviewPage } from './pages/overview';
import { PlaygroundPage } from './pages/playground';
import { SessionsPage } from './pages/sessions';
import { SettingsPage } from './pages/settings';
import { SignInPage } from './pages/sign-in';
import { UsagePage } from './pages/usage';
import { WebhooksPage } from './pages/webhooks';
import { MarketplaceWelcome } from './pages/welcome';

export interface PageProps {
  /** The route below the page's own segment: `#/companions/comp_1` gives ['comp_1']. */
  readonly path: readonly string[];
  readonly route: Route;
}

interface PageEntry {
  readonly segment: string;
  readonly title: string;
  readonly component: FunctionComponent<PageProps>;
  /** Only organization admins see the page and may call what it calls. */
  readonly adminOnly?: boolean;
  /** The page works on the selected project. */
  readonly needsProject?: boolean;
  readonly group: 'Organization' | 'Build' | 'Try' | 'Admin';
}

const PAGES: readonly PageEntry[] = [
  { segment: 'overview', title: 'Projects', component: OverviewPage, group: 'Organization' },
  { segment: 'companions', title: 'Companions', component: CompanionsPage, needsProject: true, group: 'Build' },
  { segment: 'knowledge', title: 'Knowledge', component: KnowledgePage, needsProject: true, group: 'Build' },
  { segment: 'faqs', title: 'FAQs', component: FaqsPage, needsProject: true, group: 'Build' },
  { segment: 'functions', title: 'Functions', component: FunctionsPage, needsProject: true, group: 'Build' },
  { segment: 'agents', title: 'Agents', component: AgentsPage, needsProject: true, group: 'Build' },
  { segment: 'playground', title: 'Playground', component: PlaygroundPage, needsProject: true, group: 'Try' },
  { segment: 'sessions', title: 'Sessions', component: SessionsPage, needsProject: true, group: 'Try' },
  { segment: 'usage', title: 'Usage and billing', component: UsagePage, adminOnly: true, group: 'Admin' },
  { segment: 'api-keys', title: 'API keys', component: ApiKeysPage, adminOnly: true, needsProject: true, group: 'Admin' },
  { segment: 'webhooks', title: 'Webhooks', component: WebhooksPage, adminOnly: true, needsProject: true, group: 'Admin' },
  { segment: 'members', title: 'Members', component: MembersPage, adminOnly: true, group: 'Admin' },
  { segment: 'settings', title: 'Settings', component: SettingsPage, adminOnly: true, group: 'Admin' },
];

export function App() {
  const [signedIn, setSignedIn] = useState(isSignedIn());
  const [marketplaceToken, setMarketplaceToken] = useState(new URLSearchParams(location.search).get('marketplaceToken') ?? undefined);
  useEffect(() => onAuthChange(() => setSignedIn(isSignedIn())), []);
  if (marketplaceToken !== undefined) return <MarketplaceWelcome token={marketplaceToken} onDone={() => setMarketplaceToken(undefined)} />;
  if (!signedIn) return <SignInPage />;
  return (
    <WorkspaceProvider
      fallback={({ error }) => (
        <main class="center">
          {error === undefined ? <Loading what="your organizations" /> : <ErrorNote error={new Error(error)} />}
          <button type="button" class="plain" onClick={() => void signOut()}>
            Sign out
          </button>
        </main>
      )}
    >
      <Shell />
    </WorkspaceProvider>
  );
}

function Shell() {
  const route = useRoute();
  const workspace = useWorkspace();
  const [menuOpen, setMenuOpen] = useState(false);
  const segment = route.segments[0] ?? 'overview';
  const page = PAGES.find((p) => p.segment === segment);
  const visible = PAGES.filter((p) => workspace.isAdmin || p.adminOnly !== true);

  // Moving to another page moves focus to its heading, so screen readers announce it; the first page keeps the
  // browser's own start, so the first Tab still reaches the skip link.
  const firstPage = useRef(true);
  useEffect(() => {
    setMenuOpen(false);
    if (firstPage.current) {
      firstPage.current = false;
      return;
    }
    requestAnimationFrame(() => document.getElementById('page-title')?.focus({ preventScroll: true }));
  }, [segment]);

  let content: ComponentChildren;
  if (page === undefined) content = <p role="alert">There is no such page. <a href={link('overview')}>Back to the projects</a>.</p>;
  else if (page.adminOnly === true && !workspace.isAdmin) content = <AdminOnly />;
  else if (workspace.org === undefined) content = <p role="alert">You are not a member of any organization yet. Ask an admin to add you, or buy a subscription through the Azure Marketplace.</p>;
  else if (page.needsProject === true && workspace.project === undefined) content = <p role="alert">This organization has no project yet. <a href={link('overview')}>Create one</a>.</p>;
  else {
    const Page = page.component;
    // A new organization or project is a new page: the key resets its state.
    content = <Page key={`${workspace.org.id}:${workspace.project?.id ?? ''}`} path={route.segments.slice(1)} route={route} />;
  }

  const groups = ['Organization', 'Build', 'Try', 'Admin'] as const;
  return (
    <div class="shell">
      {/* The routes live in the hash, so the skip link moves focus itself rather than navigating to #main. */}
      <a
        class="skip-link"
        href="#main"
        onClick={(event) => {
          event.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="topbar">
        <button type="button" class="plain menu-button" aria-expanded={menuOpen} aria-controls="nav" onClick={() => setMenuOpen(!menuOpen)}>
          Menu
        </button>
        <strong class="brand">Companion API</strong>
        <div class="switchers">
          <label>
            <span class="visually-hidden">Organization</span>
            <select aria-label="Organization" value={workspace.org?.id} onChange={(e) => workspace.selectOrg(e.currentTarget.value)}>
              {workspace.orgs.map((org) => (
                <option key={org.id} value={org.id}>
                  {org.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span class="visually-hidden">Project</span>
            <select aria-label="Project" value={workspace.project?.id} onChange={(e) => workspace.selectProject(e.currentTarget.value)}>
              {workspace.projects.map((project) => (
                <option key={project.id} value={project.id}>
                  {project.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        <span class="user" data-testid="signed-in-user">
          {workspace.me.user?.name ?? workspace.me.user?.email ?? workspace.me.user?.id} · <span data-testid="role">{workspace.isAdmin ? 'Admin' : 'Member'}</span>
        </span>
        <button type="button" class="plain" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <nav id="nav" class={menuOpen ? 'sidebar open' : 'sidebar'} aria-label="Main">
        {groups.map((group) => {
          const entries = visible.filter((p) => p.group === group);
          if (entries.length === 0) return null;
          return (
            <div key={group} class="nav-group">
              <h2 class="nav-title">{group}</h2>
              <ul>
                {entries.map((entry) => (
                  <li key={entry.segment}>
                    <a href={link(entry.segment)} aria-current={entry.segment === segment ? 'page' : undefined}>
                      {entry.title}
                    </a>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </nav>
      <main id="main" class="content" tabIndex={-1}>
        {content}
      </main>
    </div>
  );
}

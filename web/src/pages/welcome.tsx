import { useEffect, useState } from 'preact/hooks';
import { api, describeError, type Json } from '../api';
import { isSignedIn, signInWithEntra, dashboardConfig } from '../auth';
import { ActionButton, Loading, Notice } from '../ui';
import { rememberOrganization } from '../workspace';

/**
 * Where a buyer arrives from the Azure Marketplace (`/marketplace/landing` sends a browser here with its purchase
 * token): the purchase is landed (the organization made or found, the buyer its admin, the subscription activated),
 * then the buyer signs in and creates the first project.
 */
export function MarketplaceWelcome(props: { token: string; onDone: () => void }) {
  const [landed, setLanded] = useState<Json>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api<Json>('GET', `/marketplace/landing?token=${encodeURIComponent(props.token)}`)
      .then((result) => {
        rememberOrganization(result.organization.id as string);
        // The token has done its work: a reload must not land it again.
        history.replaceState(null, '', `${location.pathname}${location.hash}`);
        setLanded(result);
      })
      .catch((err: unknown) => setError(describeError(err)));
  }, [props.token]);

  return (
    <main class="center">
      <h1 id="page-title">Welcome to the Companion API</h1>
      {error !== undefined ? (
        <p class="note error" role="alert">
          Your purchase could not be set up: {error}
        </p>
      ) : landed === undefined ? (
        <Loading what="your purchase" />
      ) : (
        <>
          <Notice tone="success">
            Your subscription to plan <strong>{landed.subscription.planId}</strong> is active, and the organization <strong>{landed.organization.name}</strong>{' '}
            {landed.organization.created ? 'was created' : 'is ready'}.
          </Notice>
          <p>
            Sign in as {landed.admin.email ?? 'the account that bought it'}: you are its admin. Then create your first project, a companion, your knowledge
            and an API key.
          </p>
          {isSignedIn() ? (
            <button type="button" class="primary" onClick={props.onDone}>
              Open the dashboard
            </button>
          ) : dashboardConfig().entra !== null ? (
            <ActionButton tone="primary" onClick={signInWithEntra}>
              Sign in with Microsoft
            </ActionButton>
          ) : (
            <button type="button" class="primary" onClick={props.onDone}>
              Continue to sign-in
            </button>
          )}
        </>
      )}
    </main>
  );
}

import { useState } from 'preact/hooks';
import { dashboardConfig, signInWithEntra, signInWithToken } from '../auth';
import { ActionButton, Form, TextField } from '../ui';

export function SignInPage() {
  const config = dashboardConfig();
  const [token, setToken] = useState('');
  return (
    <main class="center">
      <h1 id="page-title">Sign in to the Companion API dashboard</h1>
      <p class="muted">Manage your organization, build agents and try them in the Playground.</p>
      {config.entra === null ? null : (
        <p>
          <ActionButton tone="primary" onClick={signInWithEntra}>
            Sign in with Microsoft
          </ActionButton>
        </p>
      )}
      {config.devToken ? (
        <Form label="Sign in with a token" submitLabel="Sign in" onSubmit={() => signInWithToken(token.trim())}>
          <TextField
            label="Access token"
            type="password"
            required
            value={token}
            onInput={setToken}
            hint="Locally: the dev admin token that npm start prints (or COMPANION_DEV_ADMIN_TOKEN)."
            autoComplete="current-password"
          />
        </Form>
      ) : null}
      {config.entra === null && !config.devToken ? (
        <p role="alert">Sign-in is not configured: set MANAGE_AUTH_ISSUER and MANAGE_AUTH_AUDIENCE.</p>
      ) : null}
    </main>
  );
}

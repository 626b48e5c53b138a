import { describe, expect, it } from 'vitest';
import { TokenRejectedError, type ManageTokenVerifier } from '../../../shared/domain/identity.js';
import { createTestWorld } from '../fakes/test-services.js';

const DEV_TOKEN = 'dev-admin-token-0123456789abcdef';

const verifierAccepting = (token: string): ManageTokenVerifier => ({
  async verify(candidate) {
    if (candidate !== token) throw new TokenRejectedError('bad signature');
    return { userId: 'oid-1', email: 'a@example.com', name: 'A', kind: 'entra' };
  },
});

describe('/manage authentication', () => {
  it('the dev admin token signs in as the dev admin', async () => {
    const world = createTestWorld({ devAdminToken: DEV_TOKEN });
    await expect(world.services.manageAuthentication.authenticate(DEV_TOKEN)).resolves.toMatchObject({
      userId: 'dev-admin',
      kind: 'devAdmin',
    });
  });

  it('a token the Entra verifier accepts signs in as that user', async () => {
    const world = createTestWorld({ devAdminToken: DEV_TOKEN, verifier: verifierAccepting('jwt') });
    await expect(world.services.manageAuthentication.authenticate('jwt')).resolves.toMatchObject({ userId: 'oid-1', kind: 'entra' });
  });

  it('a token the verifier rejects answers 401 Unauthorized and the reason is only logged', async () => {
    const world = createTestWorld({ verifier: verifierAccepting('jwt') });
    const attempt = world.services.manageAuthentication.authenticate('forged');
    await expect(attempt).rejects.toMatchObject({ code: 'Unauthorized', message: 'The bearer token is not valid.' });
    expect(world.logger.lines.map((l) => l.properties?.reason)).toContain('bad signature');
  });

  it.each([undefined, '', 'dev-admin-token-0123456789abcdeX', DEV_TOKEN.slice(0, -1)])(
    'without a verifier, %s is refused with 401',
    async (token) => {
      const world = createTestWorld({ devAdminToken: DEV_TOKEN });
      await expect(world.services.manageAuthentication.authenticate(token)).rejects.toMatchObject({ code: 'Unauthorized' });
    },
  );
});

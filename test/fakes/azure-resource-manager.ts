import http from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';

/**
 * A local stand-in for the two Azure Resource Manager reads of managed-application metering: a resource group
 * (`GET /subscriptions/{id}/resourceGroups/{name}?api-version=2021-04-01`, with `managedBy` for a managed resource
 * group) and a managed application (`GET /subscriptions/{id}/resourceGroups/{name}/providers/Microsoft.Solutions/
 * applications/{name}?api-version=2019-07-01`, with `plan` and `properties.billingDetails.resourceUsageId`). Bearer
 * tokens must be signed by the Entra fake for the Resource Manager audience; a caller without read access (by its
 * `appid`/`oid`) gets 403 AuthorizationFailed, an unknown resource 404, another api-version 400, as ARM answers.
 */

export interface FakeResourceGroup {
  readonly id: string;
  readonly location?: string;
  readonly managedBy?: string;
}

export interface FakeManagedApplication {
  readonly id: string;
  readonly planName?: string;
  readonly resourceUsageId?: string;
  readonly managedResourceGroupId: string;
}

export interface FakeResourceManager {
  /** The Resource Manager endpoint, as MANAGEMENT_API_URL names it. */
  readonly url: string;
  addResourceGroup(group: FakeResourceGroup): void;
  addManagedApplication(application: FakeManagedApplication): void;
  /** Gives a caller (its application or object id) read access. */
  allowReader(principalId: string): void;
  /** Every GET that reached the fake, with its path and answer. */
  readonly calls: { readonly path: string; readonly status: number }[];
  close(): Promise<void>;
}

export interface FakeResourceManagerOptions {
  readonly issuer: string;
  readonly jwksUrl: string;
  /** The audience of Resource Manager tokens. */
  readonly audience: string;
}

const RESOURCE_GROUP_API = '2021-04-01';
const APPLICATION_API = '2019-07-01';

export async function startFakeResourceManager(options: FakeResourceManagerOptions): Promise<FakeResourceManager> {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl));
  // Resource ids are case-insensitive in Resource Manager.
  const groups = new Map<string, FakeResourceGroup>();
  const applications = new Map<string, FakeManagedApplication>();
  const readers = new Set<string>();
  const calls: { path: string; status: number }[] = [];

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const armError = (res: http.ServerResponse, status: number, code: string, message: string) => json(res, status, { error: { code, message } });

  const caller = async (req: http.IncomingMessage): Promise<string | undefined> => {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) return undefined;
    try {
      const { payload } = await jwtVerify(header.slice(7), jwks, { issuer: options.issuer, audience: options.audience });
      return String(payload['appid'] ?? payload['oid'] ?? '');
    } catch {
      return undefined;
    }
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = decodeURIComponent(url.pathname);
      const record = { path, status: 0 };
      calls.push(record);
      const answer = (status: number, send: () => void) => {
        record.status = status;
        send();
      };
      if (req.method !== 'GET') return answer(405, () => armError(res, 405, 'MethodNotAllowed', 'only GET is served'));
      const principal = await caller(req);
      if (principal === undefined) return answer(401, () => armError(res, 401, 'InvalidAuthenticationToken', 'The access token is missing or invalid.'));
      const key = path.toLowerCase();
      const group = groups.get(key);
      const application = applications.get(key);
      const apiVersion = url.searchParams.get('api-version');
      const expected = group !== undefined ? RESOURCE_GROUP_API : application !== undefined ? APPLICATION_API : undefined;
      if (expected === undefined) return answer(404, () => armError(res, 404, 'ResourceNotFound', `The resource '${path}' was not found.`));
      if (apiVersion !== expected) return answer(400, () => armError(res, 400, 'InvalidApiVersionParameter', `api-version ${expected} is expected here.`));
      if (!readers.has(principal)) {
        return answer(403, () =>
          armError(res, 403, 'AuthorizationFailed', `The client '${principal}' does not have authorization to perform action 'read' over scope '${path}'.`),
        );
      }
      if (group !== undefined) {
        const name = group.id.split('/').pop();
        return answer(200, () =>
          json(res, 200, {
            id: group.id,
            name,
            type: 'Microsoft.Resources/resourceGroups',
            location: group.location ?? 'swedencentral',
            ...(group.managedBy === undefined ? {} : { managedBy: group.managedBy }),
            properties: { provisioningState: 'Succeeded' },
          }),
        );
      }
      const app = application!;
      return answer(200, () =>
        json(res, 200, {
          id: app.id,
          name: app.id.split('/').pop(),
          type: 'Microsoft.Solutions/applications',
          kind: 'MarketPlace',
          location: 'swedencentral',
          ...(app.planName === undefined ? {} : { plan: { name: app.planName, publisher: 'contoso', product: 'companion-api', version: '1.0.0' } }),
          properties: {
            provisioningState: 'Succeeded',
            managedResourceGroupId: app.managedResourceGroupId,
            ...(app.resourceUsageId === undefined ? {} : { billingDetails: { resourceUsageId: app.resourceUsageId } }),
          },
        }),
      );
    })().catch(() => {
      if (!res.headersSent) json(res, 500, { error: { code: 'InternalServerError', message: 'fake failed' } });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    addResourceGroup(group) {
      groups.set(group.id.toLowerCase(), group);
    },
    addManagedApplication(application) {
      applications.set(application.id.toLowerCase(), application);
    },
    allowReader(principalId) {
      readers.add(principalId);
    },
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

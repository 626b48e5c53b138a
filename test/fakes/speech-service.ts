import { randomUUID } from 'node:crypto';
import http from 'node:http';

/**
 * A local stand-in for the Azure AI Speech custom voice REST API (api-version 2024-02-01-preview), the part personal
 * voice uses: projects (PUT/GET), consents (POST multipart/GET/DELETE), personal voices (POST multipart/GET/DELETE)
 * and long-running operations (GET, through the `Operation-Location` of each creation). Deletes answer 204, or 404
 * for what does not exist. Requests need the `Ocp-Apim-Subscription-Key` header; errors have the service's
 * `{error: {code, message}}` shape.
 */

export const FAKE_SPEECH_API_VERSION = '2024-02-01-preview';

type Status = 'NotStarted' | 'Running' | 'Succeeded' | 'Failed';

export interface FakeSpeechBehaviour {
  /** How many operation polls pass before an operation ends (the first poll counts). */
  pollsToFinish: number;
  /** `AudioAndScriptNotMatch` makes consents fail as when the recording does not say the statement. */
  consentFailure: 'AudioAndScriptNotMatch' | undefined;
  /** `SpeakerVerificationFailed` makes personal voices fail as when the prompt's speaker is not the consenting one. */
  voiceFailure: 'SpeakerVerificationFailed' | undefined;
  /** The next this many DELETE requests answer `deleteFailureStatus` (an outage or throttling) and delete nothing. */
  failingDeletes: number;
  deleteFailureStatus: 429 | 500 | 503;
}

/** A DELETE the fake answered, as `consents/<id>` or `personalvoices/<id>`, with its status. */
export interface DeleteRequest {
  readonly resource: string;
  readonly status: number;
}

export interface UploadedFile {
  readonly resource: 'consent' | 'personalvoice';
  readonly id: string;
  readonly field: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
}

interface Consent {
  id: string;
  projectId: string;
  voiceTalentName: string;
  companyName: string;
  locale: string;
  status: Status;
  properties?: { failureReason: string };
  createdDateTime: string;
  lastActionDateTime: string;
}

interface PersonalVoice {
  id: string;
  projectId: string;
  consentId: string;
  speakerProfileId: string;
  status: Status;
  properties?: { failureReason: string };
  createdDateTime: string;
  lastActionDateTime: string;
}

interface Operation {
  readonly id: string;
  /** The consent or personal voice it creates. */
  readonly resource: string;
  status: Status;
  polls: number;
  readonly finish: () => Status;
  readonly running: () => void;
}

export interface FakeSpeechService {
  /** The endpoint, as SPEECH_ENDPOINT names it. */
  readonly endpoint: string;
  readonly key: string;
  readonly behaviour: FakeSpeechBehaviour;
  readonly projects: Map<string, { id: string; kind: string; description?: string }>;
  readonly consents: Map<string, Consent>;
  readonly personalVoices: Map<string, PersonalVoice>;
  readonly uploads: UploadedFile[];
  /** Every DELETE of a consent or personal voice, in order, failed ones included. */
  readonly deletes: DeleteRequest[];
  /** Every request as `METHOD /path`, and whether it carried the right key. */
  readonly requests: { readonly line: string; readonly authorized: boolean }[];
  close(): Promise<void>;
}

const ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,62}[a-zA-Z0-9]$/;

export async function startFakeSpeechService(key: string, initial: Partial<FakeSpeechBehaviour> = {}): Promise<FakeSpeechService> {
  const behaviour: FakeSpeechBehaviour = {
    pollsToFinish: 2,
    consentFailure: undefined,
    voiceFailure: undefined,
    failingDeletes: 0,
    deleteFailureStatus: 503,
    ...initial,
  };
  const deletes: DeleteRequest[] = [];
  const projects = new Map<string, { id: string; kind: string; description?: string }>();
  const consents = new Map<string, Consent>();
  const personalVoices = new Map<string, PersonalVoice>();
  const operations = new Map<string, Operation>();
  const uploads: UploadedFile[] = [];
  const requests: { line: string; authorized: boolean }[] = [];
  let baseUrl = '';

  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };
  const error = (res: http.ServerResponse, status: number, code: string, message: string): void => json(res, status, { error: { code, message } });

  /** The service works whether or not anyone looks: any read of the operation or of its resource moves it on. */
  const tick = (operation: Operation): void => {
    operation.polls += 1;
    if (operation.status === 'NotStarted' || operation.status === 'Running') {
      if (operation.polls >= behaviour.pollsToFinish) {
        operation.status = operation.finish();
      } else {
        operation.status = 'Running';
        operation.running();
      }
    }
  };
  const tickResource = (resource: string): void => {
    for (const operation of operations.values()) if (operation.resource === resource) tick(operation);
  };

  const startOperation = (
    resourceKey: string,
    resource: { status: Status },
    finish: () => Status,
  ): { id: string; headers: Record<string, string> } => {
    const id = randomUUID();
    const running = () => {
      resource.status = 'Running';
    };
    operations.set(id, { id, resource: resourceKey, status: 'NotStarted', polls: 0, finish, running });
    return {
      id,
      headers: { 'Operation-Location': `${baseUrl}/customvoice/operations/${id}?api-version=${FAKE_SPEECH_API_VERSION}`, 'Operation-Id': id },
    };
  };

  async function formOf(req: http.IncomingMessage, body: Buffer): Promise<FormData> {
    return new Request('http://fake/form', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body }).formData();
  }

  async function filesOf(form: FormData, resource: UploadedFile['resource'], id: string, field: string): Promise<UploadedFile[]> {
    const files: UploadedFile[] = [];
    for (const value of form.getAll(field)) {
      if (typeof value === 'string') continue;
      files.push({ resource, id, field, fileName: value.name, contentType: value.type, size: (await value.arrayBuffer()).byteLength });
    }
    return files;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', baseUrl);
    const authorized = req.headers['ocp-apim-subscription-key'] === key;
    requests.push({ line: `${req.method} ${url.pathname}`, authorized });
    if (!authorized) {
      error(res, 401, 'Unauthorized', 'Access denied due to invalid subscription key or wrong API endpoint.');
      return;
    }
    if (url.searchParams.get('api-version') !== FAKE_SPEECH_API_VERSION) {
      error(res, 400, 'BadRequest', 'The api-version is missing or not supported.');
      return;
    }
    const match = /^\/customvoice\/(projects|consents|personalvoices|operations)\/([^/]+)$/.exec(url.pathname);
    if (match === null) {
      error(res, 404, 'NotFound', 'No such resource.');
      return;
    }
    const [, collection, id] = match as unknown as [string, string, string];
    const now = new Date().toISOString();

    if (collection === 'operations' && req.method === 'GET') {
      const operation = operations.get(id);
      if (operation === undefined) return error(res, 404, 'NotFound', `Operation ${id} not found.`);
      tick(operation);
      return json(res, 200, { id: operation.id, status: operation.status });
    }
    if (!ID_PATTERN.test(id)) return error(res, 400, 'BadArgument', `The id "${id}" is not valid.`);

    if ((collection === 'consents' || collection === 'personalvoices') && req.method === 'DELETE') {
      const resource = `${collection}/${id}`;
      if (behaviour.failingDeletes > 0) {
        behaviour.failingDeletes -= 1;
        deletes.push({ resource, status: behaviour.deleteFailureStatus });
        const throttled = behaviour.deleteFailureStatus === 429;
        res.setHeader('Retry-After', '1');
        return error(res, behaviour.deleteFailureStatus, throttled ? 'TooManyRequests' : 'ServiceUnavailable', 'Try again later.');
      }
      const store: Map<string, unknown> = collection === 'consents' ? consents : personalVoices;
      const existed = store.delete(id);
      deletes.push({ resource, status: existed ? 204 : 404 });
      if (!existed) return error(res, 404, 'NotFound', `${collection === 'consents' ? 'Consent' : 'Personal voice'} ${id} not found.`);
      res.writeHead(204);
      res.end();
      return;
    }

    if (collection === 'projects') {
      if (req.method === 'GET') {
        const project = projects.get(id);
        return project === undefined ? error(res, 404, 'NotFound', `Project ${id} not found.`) : json(res, 200, project);
      }
      if (req.method === 'PUT') {
        const definition = JSON.parse(body.toString('utf8')) as { kind?: string; description?: string };
        if (definition.kind !== 'ProfessionalVoice' && definition.kind !== 'PersonalVoice') return error(res, 400, 'BadArgument', 'kind is required.');
        if (projects.has(id)) return error(res, 400, 'BadRequest', `Project ${id} already exists.`);
        const project = { id, kind: definition.kind, description: definition.description, createdDateTime: now };
        projects.set(id, project);
        return json(res, 201, project);
      }
    }

    if (collection === 'consents') {
      if (req.method === 'GET') {
        tickResource(`consents/${id}`);
        const consent = consents.get(id);
        return consent === undefined ? error(res, 404, 'NotFound', `Consent ${id} not found.`) : json(res, 200, consent);
      }
      if (req.method === 'POST') {
        const form = await formOf(req, body);
        const field = (name: string) => (typeof form.get(name) === 'string' ? (form.get(name) as string) : undefined);
        const files = await filesOf(form, 'consent', id, 'audiodata');
        const [projectId, voiceTalentName, companyName, locale] = ['projectId', 'voiceTalentName', 'companyName', 'locale'].map(field);
        if (!projectId || !voiceTalentName || !companyName || !locale || files.length !== 1) {
          return error(res, 400, 'BadArgument', 'projectId, voiceTalentName, companyName, locale and one audiodata file are required.');
        }
        if (!projects.has(projectId)) return error(res, 400, 'BadArgument', `Project ${projectId} does not exist.`);
        if (consents.has(id)) return error(res, 400, 'BadRequest', `Consent ${id} already exists.`);
        uploads.push(...files);
        const consent: Consent = { id, projectId, voiceTalentName, companyName, locale, status: 'NotStarted', createdDateTime: now, lastActionDateTime: now };
        consents.set(id, consent);
        const operation = startOperation(`consents/${id}`, consent, () => {
          consent.status = behaviour.consentFailure === undefined ? 'Succeeded' : 'Failed';
          if (behaviour.consentFailure !== undefined) consent.properties = { failureReason: behaviour.consentFailure };
          consent.lastActionDateTime = new Date().toISOString();
          return consent.status;
        });
        return json(res, 201, consent, operation.headers);
      }
    }

    if (collection === 'personalvoices') {
      if (req.method === 'GET') {
        tickResource(`personalvoices/${id}`);
        const voice = personalVoices.get(id);
        return voice === undefined ? error(res, 404, 'NotFound', `Personal voice ${id} not found.`) : json(res, 200, voice);
      }
      if (req.method === 'POST') {
        const form = await formOf(req, body);
        const projectId = form.get('projectId');
        const consentId = form.get('consentId');
        const files = await filesOf(form, 'personalvoice', id, 'audioData');
        if (typeof projectId !== 'string' || typeof consentId !== 'string' || files.length === 0) {
          return error(res, 400, 'BadArgument', 'projectId, consentId and at least one audioData file are required.');
        }
        if (consents.get(consentId)?.status !== 'Succeeded') return error(res, 400, 'BadArgument', `Consent ${consentId} is not ready.`);
        if (personalVoices.has(id)) return error(res, 400, 'BadRequest', `Personal voice ${id} already exists.`);
        uploads.push(...files);
        const voice: PersonalVoice = {
          id,
          projectId,
          consentId,
          speakerProfileId: randomUUID(),
          status: 'NotStarted',
          createdDateTime: now,
          lastActionDateTime: now,
        };
        personalVoices.set(id, voice);
        const operation = startOperation(`personalvoices/${id}`, voice, () => {
          voice.status = behaviour.voiceFailure === undefined ? 'Succeeded' : 'Failed';
          if (behaviour.voiceFailure !== undefined) voice.properties = { failureReason: behaviour.voiceFailure };
          voice.lastActionDateTime = new Date().toISOString();
          return voice.status;
        });
        return json(res, 201, voice, operation.headers);
      }
    }
    error(res, 405, 'BadRequest', `${req.method} is not supported here.`);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((err: unknown) => error(res, 500, 'InternalServerError', String(err)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;

  return {
    endpoint: baseUrl,
    key,
    behaviour,
    projects,
    consents,
    personalVoices,
    uploads,
    deletes,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

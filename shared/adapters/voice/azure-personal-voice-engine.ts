import { z } from 'zod';
import type { VoiceProfileRef } from '../../domain/companion.js';
import type { CompanionAssetStore } from '../../domain/companion-asset-store.js';
import { VoiceProfileRejectedError, type VoiceEngine, type VoiceProfileJob } from '../../domain/voice-engine.js';

export const PERSONAL_VOICE_API_VERSION = '2024-02-01-preview';

export type SpeechAuth =
  | { readonly kind: 'key'; readonly key: string }
  /** A Microsoft Entra token for `https://cognitiveservices.azure.com/.default` (managed identity). */
  | { readonly kind: 'token'; readonly token: () => Promise<string> };

export interface AzurePersonalVoiceOptions {
  /** The Speech resource's endpoint, e.g. `https://<name>.cognitiveservices.azure.com`. */
  readonly endpoint: string;
  readonly auth: SpeechAuth;
  /** BCP-47 locale of the consent statement. */
  readonly locale: string;
  readonly assets: CompanionAssetStore;
  readonly pollIntervalMs?: number;
  /** How long one job waits for an operation; past it the job fails and its retry resumes the same resources. */
  readonly maxWaitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** `^[a-zA-Z0-9][a-zA-Z0-9._-]{1,62}[a-zA-Z0-9]$`: the custom voice API's resource id rule. */
export function speechResourceId(raw: string): string {
  const cleaned = raw.replace(/[^a-zA-Z0-9._-]/g, '-').slice(0, 64).replace(/^[^a-zA-Z0-9]+|[^a-zA-Z0-9]+$/g, '');
  if (cleaned.length < 3) throw new Error(`cannot make a speech resource id from "${raw}"`);
  return cleaned;
}

const statusSchema = z.enum(['NotStarted', 'Running', 'Succeeded', 'Failed', 'Disabling', 'Disabled']);
const operationSchema = z.object({ id: z.string(), status: z.enum(['NotStarted', 'Running', 'Succeeded', 'Failed']) });
const consentSchema = z.object({
  id: z.string(),
  status: statusSchema,
  properties: z.object({ failureReason: z.string().optional() }).optional(),
});
const personalVoiceSchema = z.object({
  id: z.string(),
  speakerProfileId: z.string().optional(),
  status: statusSchema,
  properties: z.object({ failureReason: z.string().optional() }).optional(),
});
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

class SpeechRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`the speech service answered ${status} ${code}`);
    this.name = 'SpeechRequestError';
  }
}

const EXTENSION_OF: Readonly<Record<string, string>> = {
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/x-m4a': 'm4a',
  'audio/flac': 'flac',
  'audio/ogg': 'ogg',
  'audio/webm': 'webm',
  'video/mp4': 'mp4',
};

/**
 * Azure AI Speech personal voice (custom voice REST API, 2024-02-01-preview): one PersonalVoice project per Companion
 * project, then per twin a consent (`Consents_Post` with the recording as consent audio) and a personal voice
 * (`PersonalVoices_Post` with the recording as the prompt audio), each a long-running operation polled through its
 * `Operation-Location` until it succeeds or fails. Ids are derived from the twin, so a retried job finds what an
 * earlier try created and carries on from there.
 *
 * The API has one recording per twin, so it serves as both the consent audio and the prompt: the recording must
 * begin with the person reading the consent statement for the configured locale, naming themselves and the
 * organization (en-US: "I [first and last name] am aware that recordings of my voice will be used by [organization]
 * to create and use a synthetic version of my voice."). The service verifies it; if it does not match, the voice
 * fails with VoiceConsentNotRecognized.
 *
 * Deleting a twin deletes its personal voice (`PersonalVoices_Delete`) and then its consent (`Consents_Delete`), which
 * holds the recording; the project stays, as other twins of the Companion project use it. Every error but 404 is
 * thrown, so the queue job that calls this retries it (429 and 5xx above all).
 */
export function createAzurePersonalVoiceEngine(options: AzurePersonalVoiceOptions): VoiceEngine {
  const base = `${options.endpoint.replace(/\/+$/, '')}/customvoice`;
  const origin = new URL(options.endpoint).origin;
  const pollIntervalMs = options.pollIntervalMs ?? 2_000;
  const maxWaitMs = options.maxWaitMs ?? 4 * 60_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  async function authHeaders(): Promise<Record<string, string>> {
    return options.auth.kind === 'key'
      ? { 'Ocp-Apim-Subscription-Key': options.auth.key }
      : { Authorization: `Bearer ${await options.auth.token()}` };
  }

  const urlOf = (path: string) => `${base}/${path}?api-version=${PERSONAL_VOICE_API_VERSION}`;

  async function call(method: string, url: string, body?: FormData | string): Promise<{ status: number; json: unknown; headers: Headers }> {
    const headers = await authHeaders();
    if (typeof body === 'string') headers['Content-Type'] = 'application/json';
    const response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(60_000) });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!response.ok && response.status !== 404) {
      const error = errorSchema.safeParse(json);
      throw new SpeechRequestError(
        response.status,
        error.success ? error.data.error.code : String(response.status),
        error.success ? error.data.error.message : response.statusText,
      );
    }
    return { status: response.status, json, headers: response.headers };
  }

  async function get<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S> | undefined> {
    const { status, json } = await call('GET', urlOf(path));
    return status === 404 ? undefined : schema.parse(json);
  }

  /** Polls an Operation-Location until the operation ends; only URLs on the Speech endpoint are followed. */
  async function waitForOperation(location: string | null): Promise<'Succeeded' | 'Failed'> {
    if (location === null || new URL(location).origin !== origin) {
      throw new Error('the speech service answered without a usable Operation-Location');
    }
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const { json, headers } = await call('GET', location);
      const operation = operationSchema.parse(json);
      if (operation.status === 'Succeeded' || operation.status === 'Failed') return operation.status;
      if (Date.now() > deadline) throw new Error(`speech operation ${operation.id} is still ${operation.status}; the retry resumes it`);
      const retryAfter = Number(headers.get('retry-after'));
      await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 30_000) : pollIntervalMs);
    }
  }

  /** Waits on a resource found from an earlier try, whose operation URL is not known any more. */
  async function waitForResource<S extends z.ZodType<{ status: z.infer<typeof statusSchema> }>>(path: string, schema: S): Promise<z.output<S>> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const resource = await get(path, schema);
      if (resource === undefined) throw new Error(`${path} disappeared while it was being created`);
      if (resource.status !== 'NotStarted' && resource.status !== 'Running') return resource;
      if (Date.now() > deadline) throw new Error(`${path} is still ${resource.status}; the retry resumes it`);
      await sleep(pollIntervalMs);
    }
  }

  async function ensureProject(projectId: string): Promise<void> {
    if ((await get(`projects/${projectId}`, z.object({ id: z.string() }))) !== undefined) return;
    try {
      await call('PUT', urlOf(`projects/${projectId}`), JSON.stringify({ kind: 'PersonalVoice', description: 'Companion API digital twins' }));
    } catch (err) {
      // Another job created it in the meantime.
      if (!(err instanceof SpeechRequestError) || (await get(`projects/${projectId}`, z.object({ id: z.string() }))) === undefined) throw err;
    }
  }

  function audioForm(fields: Record<string, string>, fileField: string, audio: { bytes: Buffer; contentType: string }): FormData {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    const extension = EXTENSION_OF[audio.contentType.split(';')[0]!.trim().toLowerCase()] ?? 'wav';
    form.append(fileField, new Blob([audio.bytes], { type: audio.contentType }), `recording.${extension}`);
    return form;
  }

  /** A 400 for a request this adapter built correctly is about the recording: retrying sends the same recording. */
  async function rejectingBadRecording<T>(what: string, code: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof SpeechRequestError && err.status === 400) {
        throw new VoiceProfileRejectedError(code, `The speech service refused the recording for the ${what}: ${err.detail}`);
      }
      throw err;
    }
  }

  async function ensureConsent(job: VoiceProfileJob, projectId: string, consentId: string, audio: { bytes: Buffer; contentType: string }): Promise<void> {
    let consent = await get(`consents/${consentId}`, consentSchema);
    if (consent === undefined) {
      const created = await rejectingBadRecording('consent', 'VoiceConsentRejected', () =>
        call(
          'POST',
          urlOf(`consents/${consentId}`),
          audioForm({ projectId, voiceTalentName: job.talentName, companyName: job.companyName, locale: options.locale }, 'audiodata', audio),
        ),
      );
      await waitForOperation(created.headers.get('operation-location'));
      consent = await get(`consents/${consentId}`, consentSchema);
      if (consent === undefined) throw new Error('the consent disappeared after its operation ended');
    } else if (consent.status === 'NotStarted' || consent.status === 'Running') {
      consent = await waitForResource(`consents/${consentId}`, consentSchema);
    }
    if (consent.status !== 'Succeeded') {
      throw new VoiceProfileRejectedError(
        'VoiceConsentNotRecognized',
        `The speech service did not accept the recording as ${job.talentName}'s consent statement for ${job.companyName} (${consent.properties?.failureReason ?? consent.status}).`,
      );
    }
  }

  async function ensurePersonalVoice(
    projectId: string,
    consentId: string,
    voiceId: string,
    audio: { bytes: Buffer; contentType: string },
  ): Promise<z.infer<typeof personalVoiceSchema>> {
    let voice = await get(`personalvoices/${voiceId}`, personalVoiceSchema);
    if (voice === undefined) {
      const created = await rejectingBadRecording('personal voice', 'VoiceProfileRejected', () =>
        call('POST', urlOf(`personalvoices/${voiceId}`), audioForm({ projectId, consentId }, 'audioData', audio)),
      );
      await waitForOperation(created.headers.get('operation-location'));
      voice = await get(`personalvoices/${voiceId}`, personalVoiceSchema);
      if (voice === undefined) throw new Error('the personal voice disappeared after its operation ended');
    } else if (voice.status === 'NotStarted' || voice.status === 'Running') {
      voice = await waitForResource(`personalvoices/${voiceId}`, personalVoiceSchema);
    }
    if (voice.status !== 'Succeeded' || voice.speakerProfileId === undefined) {
      throw new VoiceProfileRejectedError(
        voice.properties?.failureReason === 'SpeakerVerificationFailed' ? 'VoiceSpeakerMismatch' : 'VoiceProfileRejected',
        `The speech service could not create the personal voice (${voice.properties?.failureReason ?? voice.status}).`,
      );
    }
    return voice;
  }

  /** `Consents_Delete` / `PersonalVoices_Delete` answer 204; 404 means an earlier try (or someone) already did it. */
  async function deleteResource(path: string): Promise<void> {
    await call('DELETE', urlOf(path));
  }

  /** The voice first: the consent is what it was made under, so it goes last. */
  async function deletePersonalVoice(personalVoiceId: string, consentId: string): Promise<void> {
    await deleteResource(`personalvoices/${personalVoiceId}`);
    await deleteResource(`consents/${consentId}`);
  }

  return {
    kind: 'azurePersonalVoice',
    async createProfile(job): Promise<VoiceProfileRef> {
      const { consentId, personalVoiceId } = resourceIdsOf(job.companionId);
      const speechProjectId = speechResourceId(`companion-${job.projectId}`);
      const sample = await options.assets.read(job.sample.blobPath);
      if (sample === undefined) throw new Error('the accepted voice sample is not in storage');

      await ensureProject(speechProjectId);
      await ensureConsent(job, speechProjectId, consentId, sample);
      const voice = await ensurePersonalVoice(speechProjectId, consentId, personalVoiceId, sample);
      return { engine: 'azurePersonalVoice', personalVoiceId, speakerProfileId: voice.speakerProfileId!, consentId, speechProjectId };
    },
    async deleteProfile(ref): Promise<void> {
      // A local profile (made before SPEECH_ENDPOINT was set) is a file under the twin's prefix, gone with the twin.
      if (ref.engine !== 'azurePersonalVoice') return;
      await deletePersonalVoice(ref.personalVoiceId, ref.consentId);
    },
    async deleteUnrecordedProfile(owner): Promise<void> {
      const { consentId, personalVoiceId } = resourceIdsOf(owner.companionId);
      await deletePersonalVoice(personalVoiceId, consentId);
    },
  };
}

/** The twin's consent and personal voice ids: derived from the twin, so a retry, and a deletion, find them. */
function resourceIdsOf(companionId: string): { readonly consentId: string; readonly personalVoiceId: string } {
  return { consentId: speechResourceId(`${companionId}-consent`), personalVoiceId: speechResourceId(`${companionId}-voice`) };
}

import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { AzureCompanionAssetStore } from '../../../shared/adapters/companion-asset-blob-store.js';
import { createAzurePersonalVoiceEngine, speechResourceId } from '../../../shared/adapters/voice/azure-personal-voice-engine.js';
import type { ApiKeyPrincipal } from '../../../shared/domain/api-key-principal.js';
import { companionBlobPrefix } from '../../../shared/domain/companion.js';
import { VoiceProfileRejectedError, type VoiceProfileJob } from '../../../shared/domain/voice-engine.js';
import type { Runtime } from '../../../shared/runtime.js';
import { startFakeSpeechService, type FakeSpeechService } from '../../fakes/speech-service.js';
import { makeImage, makeWav } from '../../support/media-fixtures.js';
import { registrations } from '../helpers/function-registrations.js';
import { bootstrappedRuntime, releaseRuntime } from '../helpers/test-runtime.js';
import { RecordingEvents, companionStore, httpCaller, jobMessage, queueRunner, seedCompanion } from './generation-fixtures.js';

vi.mock('@azure/functions', async (importOriginal) =>
  (await import('../helpers/function-registrations.js')).capturingFunctionsModule(await importOriginal()),
);

const SPEECH_KEY = 'fake-speech-key-0123456789';
const BOOTSTRAP_SECRET = 'bootstrap-secret-speech-0123456789';
const connectionString = inject('storageConnectionString');
const assets = new AzureCompanionAssetStore(BlobServiceClient.fromConnectionString(connectionString));
const sample = makeWav({ seconds: 61, sampleRate: 8_000 });
const noWait = async () => undefined;

let speech: FakeSpeechService;
let counter = 0;

/** A job for a new twin whose accepted sample is in storage. */
async function newJob(): Promise<VoiceProfileJob> {
  counter += 1;
  const companionId = `comp_speech${Date.now().toString(36)}${counter}`;
  const blobPath = `${companionBlobPrefix('proj_speech', companionId)}media/voice.wav`;
  await assets.write(blobPath, sample, 'audio/wav');
  return { companionId, projectId: 'proj_speech', sample: { blobPath }, talentName: 'Sarah Johnson', companyName: 'Acme Corp' };
}

const engineWith = (key = SPEECH_KEY) =>
  createAzurePersonalVoiceEngine({ endpoint: speech.endpoint, auth: { kind: 'key', key }, locale: 'en-US', assets, sleep: noWait, pollIntervalMs: 1 });

beforeAll(async () => {
  speech = await startFakeSpeechService(SPEECH_KEY);
});

beforeEach(() => {
  Object.assign(speech.behaviour, { pollsToFinish: 2, consentFailure: undefined, voiceFailure: undefined, failingDeletes: 0, deleteFailureStatus: 503 });
});

afterAll(async () => {
  await speech.close();
});

describe('Azure AI Speech personal voice adapter against a fake of its REST API', () => {
  it('creates the project, the consent and the personal voice from the recording, waiting on each operation, and returns the speaker profile', async () => {
    const job = await newJob();
    const profile = await engineWith().createProfile(job);

    const voiceId = speechResourceId(`${job.companionId}-voice`);
    expect(profile).toEqual({
      engine: 'azurePersonalVoice',
      personalVoiceId: voiceId,
      speakerProfileId: speech.personalVoices.get(voiceId)!.speakerProfileId,
      consentId: speechResourceId(`${job.companionId}-consent`),
      speechProjectId: 'companion-proj_speech',
    });
    expect(speech.projects.get('companion-proj_speech')).toMatchObject({ kind: 'PersonalVoice' });
    expect(speech.consents.get(profile.engine === 'azurePersonalVoice' ? profile.consentId : '')).toMatchObject({
      voiceTalentName: 'Sarah Johnson',
      companyName: 'Acme Corp',
      locale: 'en-US',
      status: 'Succeeded',
    });
    const uploads = speech.uploads.filter((u) => u.id.startsWith(job.companionId));
    expect(uploads.map((u) => [u.resource, u.field, u.contentType, u.size])).toEqual([
      ['consent', 'audiodata', 'audio/wav', sample.length],
      ['personalvoice', 'audioData', 'audio/wav', sample.length],
    ]);
    expect(speech.requests.every((r) => r.authorized)).toBe(true);
    expect(speech.requests.some((r) => r.line.startsWith('GET /customvoice/operations/'))).toBe(true);
  });

  it('when the job runs again, it finds what the first run created and uploads nothing twice', async () => {
    const job = await newJob();
    const first = await engineWith().createProfile(job);
    const uploads = speech.uploads.length;
    const second = await engineWith().createProfile(job);
    expect(second).toEqual(first);
    expect(speech.uploads.length).toBe(uploads);
  });

  it('when an operation outlasts one try, the retry resumes waiting on the same resources', async () => {
    speech.behaviour.pollsToFinish = 1_000;
    const job = await newJob();
    const impatient = createAzurePersonalVoiceEngine({
      endpoint: speech.endpoint,
      auth: { kind: 'key', key: SPEECH_KEY },
      locale: 'en-US',
      assets,
      sleep: noWait,
      maxWaitMs: 20,
    });
    await expect(impatient.createProfile(job)).rejects.toThrow(/still/);
    expect(speech.consents.get(speechResourceId(`${job.companionId}-consent`))?.status).toBe('Running');
    speech.behaviour.pollsToFinish = 1;
    const profile = await engineWith().createProfile(job);
    expect(profile.engine).toBe('azurePersonalVoice');
    expect(speech.uploads.filter((u) => u.id.startsWith(job.companionId) && u.resource === 'consent')).toHaveLength(1);
  });

  it('when the recording is not the consent statement, the voice is refused for good with VoiceConsentNotRecognized', async () => {
    speech.behaviour.consentFailure = 'AudioAndScriptNotMatch';
    const failure = await engineWith()
      .createProfile(await newJob())
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(VoiceProfileRejectedError);
    expect(failure).toMatchObject({ code: 'VoiceConsentNotRecognized' });
    expect((failure as Error).message).toContain('AudioAndScriptNotMatch');
  });

  it('when speaker verification fails, the voice is refused with VoiceSpeakerMismatch', async () => {
    speech.behaviour.voiceFailure = 'SpeakerVerificationFailed';
    await expect(engineWith().createProfile(await newJob())).rejects.toMatchObject({ code: 'VoiceSpeakerMismatch' });
  });

  it('deleting a profile deletes the personal voice, then its consent; deleting it again finds both gone and succeeds', async () => {
    const job = await newJob();
    const profile = await engineWith().createProfile(job);
    if (profile.engine !== 'azurePersonalVoice') throw new Error('expected a personal voice');
    const ours = () => speech.deletes.filter((d) => d.resource.includes(job.companionId));

    await engineWith().deleteProfile(profile);
    expect(speech.personalVoices.has(profile.personalVoiceId)).toBe(false);
    expect(speech.consents.has(profile.consentId)).toBe(false);
    expect(ours()).toEqual([
      { resource: `personalvoices/${profile.personalVoiceId}`, status: 204 },
      { resource: `consents/${profile.consentId}`, status: 204 },
    ]);
    expect(speech.projects.has(profile.speechProjectId)).toBe(true);

    await engineWith().deleteProfile(profile);
    expect(ours().slice(2).map((d) => d.status)).toEqual([404, 404]);
  });

  it('when the speech service answers 503 or 429 to a delete, the deletion fails as a retryable error and a later try finishes it', async () => {
    const job = await newJob();
    const profile = await engineWith().createProfile(job);
    if (profile.engine !== 'azurePersonalVoice') throw new Error('expected a personal voice');
    Object.assign(speech.behaviour, { failingDeletes: 1, deleteFailureStatus: 503 });
    await expect(engineWith().deleteProfile(profile)).rejects.toThrow(/503/);
    expect(speech.personalVoices.has(profile.personalVoiceId)).toBe(true);
    Object.assign(speech.behaviour, { failingDeletes: 1, deleteFailureStatus: 429 });
    await expect(engineWith().deleteProfile(profile)).rejects.toThrow(/429/);
    await engineWith().deleteProfile(profile);
    expect(speech.personalVoices.has(profile.personalVoiceId)).toBe(false);
    expect(speech.consents.has(profile.consentId)).toBe(false);
  });

  it('a twin deleted before its profile was recorded has whatever was made under its ids deleted', async () => {
    speech.behaviour.voiceFailure = 'SpeakerVerificationFailed';
    const job = await newJob();
    await expect(engineWith().createProfile(job)).rejects.toBeInstanceOf(VoiceProfileRejectedError);
    const consentId = speechResourceId(`${job.companionId}-consent`);
    const voiceId = speechResourceId(`${job.companionId}-voice`);
    expect(speech.consents.has(consentId)).toBe(true);
    expect(speech.personalVoices.has(voiceId)).toBe(true);

    await engineWith().deleteUnrecordedProfile({ companionId: job.companionId, projectId: job.projectId });
    expect(speech.consents.has(consentId)).toBe(false);
    expect(speech.personalVoices.has(voiceId)).toBe(false);
  });

  it('when the key is wrong, the job fails as a retryable error, not as a refused voice', async () => {
    const failure = await engineWith('wrong-key')
      .createProfile(await newJob())
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(VoiceProfileRejectedError);
    expect(String(failure)).toContain('401');
  });
});

describe('a digital twin with the Azure personal voice engine, through the queue-triggered functions', () => {
  let runtime: Runtime;
  let principal: ApiKeyPrincipal;
  const events = new RecordingEvents();

  beforeAll(async () => {
    ({ runtime } = await bootstrappedRuntime('speech', { apiKeySecret: BOOTSTRAP_SECRET, settings: { SPEECH_ENDPOINT: speech.endpoint, SPEECH_KEY }, options: { events } }));
    await import('../../../functions/companions.js');
    await import('../../../functions/companion-generation-jobs.js');
    principal = await runtime.services.apiKeys.authenticate(BOOTSTRAP_SECRET);
  });

  afterAll(() => releaseRuntime(runtime));

  it('becomes completed once its personal voice and its views are ready, naming the organization in the consent', async () => {
    // The engine here polls at its production interval; finishing on the first poll keeps the test quick.
    speech.behaviour.pollsToFinish = 1;
    const store = companionStore(runtime, connectionString);
    const picture = await makeImage({ width: 1920, height: 1080, format: 'png' });
    const twin = await seedCompanion(store, principal, {
      personaType: 'digitalTwin',
      media: {
        picture: { bytes: picture, extension: 'png', contentType: 'image/png' },
        voice: { bytes: sample, extension: 'wav', contentType: 'audio/wav' },
      },
    });
    const runQueue = queueRunner(registrations);
    await runQueue('avatar-generation', jobMessage(twin));
    await runQueue('voice-profile', jobMessage(twin));

    const stored = await store.companions.get(twin.projectId, twin.id);
    expect(stored?.status).toBe('completed');
    expect(stored?.voice).toMatchObject({ status: 'ready', profile: { engine: 'azurePersonalVoice', speakerProfileId: expect.any(String) } });
    expect(speech.consents.get(speechResourceId(`${twin.id}-consent`))).toMatchObject({ voiceTalentName: 'Sarah Johnson', companyName: 'Local' });

    const shown = (await httpCaller(registrations)('public-companion-get', { headers: { 'x-api-key': BOOTSTRAP_SECRET }, params: { id: twin.id } })).json!;
    expect(shown.voice).toEqual({ status: 'ready' });
    expect(JSON.stringify(shown)).not.toContain('speakerProfileId');
  });

  it('when the speech service refuses the consent, the twin fails at once with the reason on its voice', async () => {
    Object.assign(speech.behaviour, { consentFailure: 'AudioAndScriptNotMatch', pollsToFinish: 1 });
    const store = companionStore(runtime, connectionString);
    const twin = await seedCompanion(store, principal, {
      personaType: 'digitalTwin',
      media: { voice: { bytes: sample, extension: 'wav', contentType: 'audio/wav' } },
    });
    await queueRunner(registrations)('voice-profile', jobMessage(twin));
    const stored = await store.companions.get(twin.projectId, twin.id);
    expect(stored).toMatchObject({
      status: 'failed',
      failureReason: 'VoiceProfileFailed',
      voice: { status: 'failed', failureReason: 'VoiceConsentNotRecognized' },
    });
    expect(stored?.warnings).toContainEqual(expect.objectContaining({ code: 'VoiceConsentNotRecognized' }));
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BlobServiceClient } from '@azure/storage-blob';
import { parseBuffer } from 'music-metadata';
import { startAzurite } from '../local/emulators/azurite.js';
import { startCosmosServer } from '../local/emulators/cosmos.js';
import { createLibraryMediaInspector } from '../shared/adapters/media/library-media-inspector.js';
import { parseConfig } from '../shared/config.js';
import { COMPANION_MEDIA_CONTAINER } from '../shared/domain/companion.js';
import { URL_FETCH_UPLOAD_ID, incomingMediaPath } from '../shared/domain/companion-media-intake.js';
import { createRuntime } from '../shared/runtime.js';
import { round, timing, type Timing } from './stats.js';


export interface VoiceCheckBenchResults {
  readonly iterations: number;
  readonly fileBytes: number;
  readonly audioSeconds: number;
  /** The blob-triggered check: the host's read of the incoming blob, then the service the trigger calls. */
  readonly checkPath: Timing;
  /** Of which: reading the 3 MB blob from Azurite, as the host does before invoking the function. */
  readonly blobRead: Timing;
  /** Of which: the service (sniff, parse, write the accepted file, record it in Cosmos, queue the hand-off, delete). */
  readonly service: Timing;
  /** The check alone, in memory: file-type sniffing and music-metadata, no storage. */
  readonly inspectorOnly: Timing;
  /** The baseline: music-metadata parsing the same bytes directly. */
  readonly directParse: Timing;
  /** checkPath p95 ÷ directParse p95 (the target is at most 1.5). */
  readonly ratio: number;
  readonly targetRatio: 1.5;
  /** inspectorOnly p95 ÷ directParse p95: what the check adds before any I/O. */
  readonly inspectorRatio: number;
}

const MiB = 1024 * 1024;
const WAV_HEADER_BYTES = 44;
/** 22.05 kHz mono 16-bit: 3 MB is about 71 s, inside the 60-300 s a voice sample must last, so it is accepted. */
const SAMPLE_RATE = 22_050;

/** A PCM WAV of `bytes` bytes (rounded to whole samples) holding a tone, so that the file is real audio. */
function makeWav(bytes: number): Buffer {
  const frames = Math.floor((bytes - WAV_HEADER_BYTES) / 2);
  const wav = Buffer.alloc(WAV_HEADER_BYTES + frames * 2);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + frames * 2, 4);
  wav.write('WAVE', 8, 'ascii');
  wav.write('fmt ', 12, 'ascii');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(SAMPLE_RATE, 24);
  wav.writeUInt32LE(SAMPLE_RATE * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(frames * 2, 40);
  const step = (2 * Math.PI * 220) / SAMPLE_RATE;
  for (let i = 0; i < frames; i++) wav.writeInt16LE(Math.round(Math.sin(step * i) * 8_000), WAV_HEADER_BYTES + i * 2);
  return wav;
}


async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

const API_KEY = 'bench-voice-check-key-0123456789abcdef';
const DEV_TOKEN = 'bench-voice-check-admin-0123456789abcdef';

/**
 * p95 time per 3 MB WAV through the blob-triggered voice check, against music-metadata parsing the same bytes
 * directly, in the same run. Each iteration is a new digital twin whose voice file was just stored in its incoming
 * path (as the fetcher stores it): the timed path reads that blob from Azurite and calls the service the blob
 * trigger calls, which checks it, writes the accepted file, records it in Cosmos, queues the voice-profile job and
 * deletes the incoming file. Steps are interleaved so that both sides see the same machine state.
 */
export async function runVoiceCheckBench(options: { readonly iterations?: number; readonly warmup?: number } = {}): Promise<VoiceCheckBenchResults> {
  const iterations = Math.max(30, options.iterations ?? 40);
  const warmup = options.warmup ?? 3;
  const root = mkdtempSync(path.join(os.tmpdir(), 'bench-voice-check-'));
  const [azurite, cosmos] = await Promise.all([
    startAzurite({ location: path.join(root, 'azurite') }),
    startCosmosServer({ certDir: path.join(root, 'cosmos') }),
  ]);
  try {
    const config = parseConfig({
      AzureWebJobsStorage: azurite.connectionString,
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      COSMOS_EMULATOR_CERT_FILE: cosmos.certFile,
      COSMOS_DATABASE: 'bench-voice-check',
      COMPANION_DATA_DIR: path.join(root, 'data'),
      COMPANION_DEV_ADMIN_TOKEN: DEV_TOKEN,
      // The twins' URLs point at loopback; nothing fetches them (no host runs), the files are stored directly.
      COMPANION_ALLOW_PRIVATE_URLS: '1',
    });
    const runtime = await createRuntime(config, { logger: { warn: () => undefined, error: () => undefined } });
    try {
      await runtime.ensureContainers();
      const { services } = runtime;
      const { org } = await services.bootstrap.ensureLocalBootstrap({ apiKeySecret: API_KEY });
      await services.digitalTwinConsent.grant(await services.manageAuthentication.authenticate(DEV_TOKEN), org.id, undefined);
      const principal = await services.apiKeys.authenticate(API_KEY);
      const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(COMPANION_MEDIA_CONTAINER);
      await container.createIfNotExists();
      const inspector = createLibraryMediaInspector();

      const wav = makeWav(3 * MiB);
      const audioSeconds = round((wav.length - WAV_HEADER_BYTES) / (SAMPLE_RATE * 2), 1);
      const samples = { checkPath: [] as number[], blobRead: [] as number[], service: [] as number[], inspector: [] as number[], parse: [] as number[] };

      for (let i = 0; i < warmup + iterations; i++) {
        const twin = await services.digitalTwins.create(principal, {
          firstName: 'Bench',
          lastName: `Twin ${i}`,
          description: 'A twin for the voice check benchmark.',
          gender: 'female',
          ethnicity: 'Caucasian',
          externalClientId: `bench-voice-${i}`,
          voiceUrl: 'http://127.0.0.1:9/voice.wav',
          pictureUrl: 'http://127.0.0.1:9/picture.jpg',
        });
        const blobName = incomingMediaPath(twin.projectId, twin.id, 'voice', URL_FETCH_UPLOAD_ID);
        const blob = container.getBlockBlobClient(blobName);
        const { etag } = await blob.uploadData(wav, { blobHTTPHeaders: { blobContentType: 'audio/wav' } });

        const read = await timed(() => blob.downloadToBuffer());
        const check = await timed(() =>
          services.mediaIntake.checkIncomingMedia({
            projectId: twin.projectId,
            companionId: twin.id,
            kind: 'voice',
            uploadId: URL_FETCH_UPLOAD_ID,
            bytes: read.value,
            etag: etag ?? '',
          }),
        );
        if (check.value !== 'accepted') throw new Error(`the benchmark's voice sample was not accepted (${check.value})`);
        const inspected = await timed(() => inspector.inspectVoiceSample(wav));
        if (!inspected.value.ok) throw new Error('the benchmark’s voice sample failed its check');
        const parsed = await timed(() => parseBuffer(wav, { mimeType: 'audio/wav', size: wav.length }, { duration: true, skipCovers: true }));
        if (parsed.value.format.duration === undefined) throw new Error('music-metadata read no duration');

        if (i < warmup) continue;
        samples.blobRead.push(read.ms);
        samples.service.push(check.ms);
        samples.checkPath.push(read.ms + check.ms);
        samples.inspector.push(inspected.ms);
        samples.parse.push(parsed.ms);
      }

      const checkPath = timing(samples.checkPath);
      const directParse = timing(samples.parse);
      const inspectorOnly = timing(samples.inspector);
      return {
        iterations,
        fileBytes: wav.length,
        audioSeconds,
        checkPath,
        blobRead: timing(samples.blobRead),
        service: timing(samples.service),
        inspectorOnly,
        directParse,
        ratio: round(checkPath.p95Ms / directParse.p95Ms, 1),
        targetRatio: 1.5,
        inspectorRatio: round(inspectorOnly.p95Ms / directParse.p95Ms, 2),
      };
    } finally {
      await runtime.dispose();
    }
  } finally {
    await Promise.all([azurite.stop(), cosmos.stop()]);
    rmSync(root, { recursive: true, force: true });
  }
}

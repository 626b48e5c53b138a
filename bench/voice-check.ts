import { performance } from 'node:perf_hooks';
import { BlobServiceClient } from '@azure/storage-blob';
import { parseBuffer } from 'music-metadata';
import { startBenchEmulators } from './bench-emulators.js';
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
  /** Of which: the service (sniff, parse, copy the accepted file, record it in Cosmos, queue the hand-off, delete). */
  readonly service: Timing;
  /**
   * The baseline: what parsing the same file with the audio library directly costs when the file lives in blob
   * storage: reading the same bytes from a blob in the same Azurite, then music-metadata parsing them.
   */
  readonly directFromBlob: Timing;
  /** The check alone, in memory: file-type sniffing and music-metadata, no storage. */
  readonly inspectorOnly: Timing;
  /** music-metadata parsing the same bytes in memory. */
  readonly directParse: Timing;
  /** checkPath p95 ÷ directFromBlob p95 (the target is at most 1.5). */
  readonly ratio: number;
  /** The same at the median, which a few slow iterations do not move. */
  readonly ratioP50: number;
  readonly targetRatio: 1.5;
  /** inspectorOnly p95 ÷ directParse p95: what the check adds before any I/O. */
  readonly inspectorRatio: number;
  readonly inspectorRatioP50: number;
  /** checkPath p95 ÷ directParse p95: the old comparison, storage on one side only (for reference). */
  readonly ratioToInMemoryParse: number;
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
 * p95 time per 3 MB WAV through the blob-triggered voice check, against parsing the same file with music-metadata
 * directly, in the same run. Each iteration is a new digital twin whose voice file was just stored in its incoming
 * path (as the fetcher stores it): the timed path reads that blob from Azurite and calls the service the blob
 * trigger calls, which checks it, copies it to the accepted path inside the storage account, records it in Cosmos,
 * queues the voice-profile job and deletes the incoming file. The baseline reads the same bytes from a blob in the
 * same Azurite and parses them: the file lives in storage on both sides. The in-memory pair (the check's inspector
 * against music-metadata alone) shows what the check adds before any I/O. Each iteration runs every step once, the
 * check path and the baseline in alternating order, so that all see the same machine state.
 */
export async function runVoiceCheckBench(options: { readonly iterations?: number; readonly warmup?: number } = {}): Promise<VoiceCheckBenchResults> {
  // Each iteration takes tens of milliseconds; enough of them keep the p95 from being one or two slow samples.
  const iterations = Math.max(30, options.iterations ?? 120);
  const warmup = options.warmup ?? 5;
  const emulators = await startBenchEmulators('bench-voice-check-');
  const { azurite } = emulators;
  try {
    const config = parseConfig({
      ...emulators.settings('bench-voice-check'),
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
      // The baseline's file: the same bytes in the same container, read back on every iteration.
      const baselineBlob = container.getBlockBlobClient('bench/voice-baseline.wav');
      await baselineBlob.uploadData(wav, { blobHTTPHeaders: { blobContentType: 'audio/wav' } });
      const parseWav = (bytes: Buffer) => parseBuffer(bytes, { mimeType: 'audio/wav', size: bytes.length }, { duration: true, skipCovers: true });
      const samples = {
        checkPath: [] as number[],
        blobRead: [] as number[],
        service: [] as number[],
        fromBlob: [] as number[],
        inspector: [] as number[],
        parse: [] as number[],
      };

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

        const checkPathRun = async () => {
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
          return { readMs: read.ms, serviceMs: check.ms };
        };
        const baselineRun = async () => {
          const direct = await timed(async () => parseWav(await baselineBlob.downloadToBuffer()));
          if (direct.value.format.duration === undefined) throw new Error('music-metadata read no duration');
          return direct.ms;
        };
        let path: { readMs: number; serviceMs: number };
        let fromBlobMs: number;
        if (i % 2 === 0) {
          path = await checkPathRun();
          fromBlobMs = await baselineRun();
        } else {
          fromBlobMs = await baselineRun();
          path = await checkPathRun();
        }
        const inspectRun = async () => {
          const inspected = await timed(() => inspector.inspectVoiceSample(wav));
          if (!inspected.value.ok) throw new Error('the benchmark’s voice sample failed its check');
          return inspected.ms;
        };
        const parseRun = async () => {
          const parsed = await timed(() => parseWav(wav));
          if (parsed.value.format.duration === undefined) throw new Error('music-metadata read no duration');
          return parsed.ms;
        };
        let inspectedMs: number;
        let parsedMs: number;
        if (i % 2 === 0) {
          inspectedMs = await inspectRun();
          parsedMs = await parseRun();
        } else {
          parsedMs = await parseRun();
          inspectedMs = await inspectRun();
        }

        if (i < warmup) continue;
        samples.blobRead.push(path.readMs);
        samples.service.push(path.serviceMs);
        samples.checkPath.push(path.readMs + path.serviceMs);
        samples.fromBlob.push(fromBlobMs);
        samples.inspector.push(inspectedMs);
        samples.parse.push(parsedMs);
      }

      const checkPath = timing(samples.checkPath);
      const directFromBlob = timing(samples.fromBlob);
      const directParse = timing(samples.parse);
      const inspectorOnly = timing(samples.inspector);
      return {
        iterations,
        fileBytes: wav.length,
        audioSeconds,
        checkPath,
        blobRead: timing(samples.blobRead),
        service: timing(samples.service),
        directFromBlob,
        inspectorOnly,
        directParse,
        ratio: round(checkPath.p95Ms / directFromBlob.p95Ms, 2),
        ratioP50: round(checkPath.p50Ms / directFromBlob.p50Ms, 2),
        targetRatio: 1.5,
        inspectorRatio: round(inspectorOnly.p95Ms / directParse.p95Ms, 2),
        inspectorRatioP50: round(inspectorOnly.p50Ms / directParse.p50Ms, 2),
        ratioToInMemoryParse: round(checkPath.p95Ms / directParse.p95Ms, 1),
      };
    } finally {
      await runtime.dispose();
    }
  } finally {
    await emulators.stop();
  }
}

import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { startBenchEmulators } from './bench-emulators.js';
import { AzureCompanionAssetStore } from '../shared/adapters/companion-asset-blob-store.js';
import { CosmosCompanionRepository } from '../shared/adapters/cosmos/companion-repository.js';
import { CountedContainer } from '../shared/adapters/cosmos/counted-container.js';
import { createLocalAvatarViews } from '../shared/adapters/media/local-avatar-views.js';
import { createStorageClients } from '../shared/adapters/storage.js';
import { parseConfig } from '../shared/config.js';
import { companionBlobPrefix, type Companion } from '../shared/domain/companion.js';
import { newId } from '../shared/domain/ids.js';
import { createRuntime } from '../shared/runtime.js';
import { round, timing, type Timing } from './stats.js';


export interface AvatarGenerationBenchResults {
  readonly iterations: number;
  readonly pictureBytes: number;
  /**
   * The queue-triggered job's service call on the emulators: read the companion, read the picture blob, derive the
   * views, write both views, record them (generationCompleted), check them (readyToUse), complete, with an event each.
   */
  readonly generationPath: Timing;
  /** The baseline: the same image transforms (deriveViews) on the same bytes in memory. */
  readonly directTransforms: Timing;
  /** generationPath p95 ÷ directTransforms p95. */
  readonly ratio: number;
}


async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/**
 * A 1920×1080 JPEG with photographic content for the encoder to work on: gradients, a figure and fine noise (a flat
 * synthetic image would compress and decode unrealistically fast).
 */
async function makePhoto(): Promise<Buffer> {
  const width = 1920;
  const height = 1080;
  const raw = Buffer.alloc(width * height * 3);
  let seed = 12345;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const noise = (seed >> 16) % 24;
      const i = (y * width + x) * 3;
      raw[i] = Math.min(255, Math.round((x / width) * 180) + noise);
      raw[i + 1] = Math.min(255, Math.round((y / height) * 160) + noise);
      raw[i + 2] = Math.min(255, 90 + noise);
    }
  }
  const figure = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><ellipse cx="960" cy="430" rx="190" ry="240" fill="#c98f68"/><ellipse cx="960" cy="1150" rx="520" ry="420" fill="#2d4a6b"/></svg>`,
  );
  return sharp(raw, { raw: { width, height, channels: 3 } }).composite([{ input: figure }]).jpeg({ quality: 88 }).toBuffer();
}

/**
 * p95 per 1920×1080 picture through the avatar generation job (the service the `avatar-generation` queue trigger
 * calls, against Azurite and the local Cosmos server) versus the same image transforms called directly, interleaved
 * in one run. Each iteration generates a fresh companion, since a repeated job does nothing by design.
 */
export async function runAvatarGenerationBench(options: { iterations?: number; warmup?: number } = {}): Promise<AvatarGenerationBenchResults> {
  const iterations = Math.max(20, options.iterations ?? 30);
  const warmup = options.warmup ?? 3;
  const emulators = await startBenchEmulators('companion-bench-avatar-');
  try {
    const config = parseConfig({
      ...emulators.settings('bench-avatar'),
    });
    const runtime = await createRuntime(config, { logger: { warn: () => undefined, error: () => undefined } });
    try {
      await runtime.ensureContainers();
      const companions = new CosmosCompanionRepository(new CountedContainer(runtime.cosmosDatabase.container('companions')));
      const assets = new AzureCompanionAssetStore(createStorageClients(config, () => {
        throw new Error('the bench uses a connection string');
      }).blobs);
      const renderer = createLocalAvatarViews();
      const picture = await makePhoto();

      /** A companion as the media intake leaves it when it queues generation (not timed). */
      const seed = async (): Promise<Companion> => {
        const id = newId('comp');
        const blobPath = `${companionBlobPrefix('proj_bench', id)}media/picture.jpg`;
        await assets.write(blobPath, picture, 'image/jpeg');
        const now = new Date().toISOString();
        return companions.create({
          id,
          projectId: 'proj_bench',
          orgId: 'org_bench',
          personaType: 'companion',
          firstName: 'Bench',
          lastName: '',
          description: 'A companion for the benchmark.',
          headline: '',
          version: 'v1',
          tags: {},
          status: 'pending',
          avatar: { views: {} },
          media: { picture: { source: 'upload', status: 'accepted', blobPath, contentType: 'image/jpeg', sizeBytes: picture.length } },
          created: now,
          updated: now,
        });
      };

      const generation: number[] = [];
      const direct: number[] = [];
      for (let i = 0; i < warmup + iterations; i += 1) {
        const companion = await seed();
        const message = { companionId: companion.id, projectId: companion.projectId, orgId: companion.orgId };
        const pathMs = await timed(async () => {
          const outcome = await runtime.services.avatarGeneration.generate(message);
          if (outcome !== 'advanced') throw new Error(`the job answered ${outcome}`);
        });
        const done = await companions.get(companion.projectId, companion.id);
        if (done?.status !== 'completed') throw new Error(`the companion ended ${done?.status ?? 'missing'}`);
        const directMs = await timed(() => renderer.deriveViews(picture));
        if (i >= warmup) {
          generation.push(pathMs);
          direct.push(directMs);
        }
      }
      const generationPath = timing(generation);
      const directTransforms = timing(direct);
      return {
        iterations,
        pictureBytes: picture.length,
        generationPath,
        directTransforms,
        ratio: round(generationPath.p95Ms / directTransforms.p95Ms),
      };
    } finally {
      await runtime.dispose();
    }
  } finally {
    await emulators.stop();
  }
}

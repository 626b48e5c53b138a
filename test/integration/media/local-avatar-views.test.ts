import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createLocalAvatarViews, SILHOUETTE_ABSENT_REASON } from '../../../shared/adapters/media/local-avatar-views.js';
import { makeImage } from '../../support/media-fixtures.js';

const renderer = createLocalAvatarViews();

async function pixelAlpha(image: Buffer, x: number, y: number): Promise<number> {
  const { data, info } = await sharp(image).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return data[(y * info.width + x) * info.channels + 3]!;
}

describe('local avatar views', () => {
  it('derives a 512×512 round PNG, transparent outside the circle, and a 1280×720 rectangle', async () => {
    const picture = await makeImage({ width: 1920, height: 1080, format: 'jpeg' });
    const { views } = await renderer.deriveViews(picture);

    expect(views.round).toMatchObject({ mimeType: 'image/png', width: 512, height: 512 });
    const round = await sharp(views.round!.bytes).metadata();
    expect([round.format, round.width, round.height, round.hasAlpha]).toEqual(['png', 512, 512, true]);
    expect(await pixelAlpha(views.round!.bytes, 2, 2)).toBe(0);
    expect(await pixelAlpha(views.round!.bytes, 256, 256)).toBe(255);

    expect(views.rectangle).toMatchObject({ mimeType: 'image/jpeg', width: 1280, height: 720 });
    const rectangle = await sharp(views.rectangle!.bytes).metadata();
    expect([rectangle.format, rectangle.width, rectangle.height]).toEqual(['jpeg', 1280, 720]);
  });

  it('leaves the silhouette out and says why', async () => {
    const { views, absent } = await renderer.deriveViews(await makeImage({ width: 1024, height: 576, format: 'png' }));
    expect(views.silhouette).toBeUndefined();
    expect(absent).toEqual({ silhouette: SILHOUETTE_ABSENT_REASON });
    expect(SILHOUETTE_ABSENT_REASON).toMatch(/background/);
  });

  it('makes the same view sizes from a picture of another shape', async () => {
    const { views } = await renderer.deriveViews(await makeImage({ width: 600, height: 900, format: 'webp' }));
    expect([views.round?.width, views.round?.height, views.rectangle?.width, views.rectangle?.height]).toEqual([512, 512, 1280, 720]);
    expect((await sharp(views.rectangle!.bytes).metadata()).width).toBe(1280);
  });

  it('focuses the round view on the upper centre of the picture', async () => {
    // A picture whose top half is red and bottom half blue: the round view must be mostly red.
    const picture = await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#0000ff' } })
      .composite([{ input: { create: { width: 1920, height: 540, channels: 3, background: '#ff0000' } }, top: 0, left: 0 }])
      .png()
      .toBuffer();
    const { views } = await renderer.deriveViews(picture);
    const { data, info } = await sharp(views.round!.bytes).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number): number[] => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
    expect(at(256, 256)).toEqual([255, 0, 0]);
    // A square centred on the whole height would be half red; this one sits higher.
    const redRows = Array.from({ length: info.height }, (_, y) => at(256, y)).filter(([r, , b]) => r! > 200 && b! < 50).length;
    expect(redRows / info.height).toBeGreaterThan(0.55);
  });

  it('rejects bytes that are not a picture', async () => {
    await expect(renderer.deriveViews(Buffer.from('not a picture'))).rejects.toThrow();
  });
});

describe('generated portrait', () => {
  const request = { description: 'A friendly support agent with glasses', gender: 'female', ethnicity: 'East Asian', seed: 'companion-1' } as const;

  it('is a 1920×1080 PNG', async () => {
    const portrait = await renderer.generatePortrait(request);
    expect(portrait).toMatchObject({ mimeType: 'image/png', width: 1920, height: 1080 });
    const decoded = await sharp(portrait.bytes).metadata();
    expect([decoded.format, decoded.width, decoded.height]).toEqual(['png', 1920, 1080]);
  });

  it('is byte-for-byte the same for the same request, so a retried job makes the same asset', async () => {
    const [first, second] = await Promise.all([renderer.generatePortrait(request), renderer.generatePortrait({ ...request })]);
    expect(first.bytes.equals(second.bytes)).toBe(true);
  });

  it('differs for another seed, description, gender or ethnicity', async () => {
    const base = (await renderer.generatePortrait(request)).bytes;
    for (const change of [{ seed: 'companion-2' }, { description: 'A bearded chef' }, { gender: 'male' as const }, { ethnicity: 'Nordic' }]) {
      const other = await renderer.generatePortrait({ ...request, ...change });
      expect(other.bytes.equals(base), JSON.stringify(change)).toBe(false);
    }
  });

  it('refuses a request without a seed', async () => {
    await expect(renderer.generatePortrait({ ...request, seed: '' })).rejects.toThrow();
  });
});

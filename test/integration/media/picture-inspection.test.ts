import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createLibraryMediaInspector } from '../../../shared/adapters/media/library-media-inspector.js';
import type { AcceptedPicture, PictureInspection } from '../../../shared/domain/media/media-inspector.js';
import { makeImage, makeWav, MiB, renamedTextFile } from '../../support/media-fixtures.js';

const inspector = createLibraryMediaInspector();

function accepted(result: PictureInspection): AcceptedPicture {
  if (!result.ok) throw new Error(`expected the picture to be accepted, got ${result.code}: ${result.detail}`);
  return result;
}

describe('picture inspection', () => {
  it('accepts a 16:9 JPEG as it is, without warnings', async () => {
    const jpeg = await makeImage({ width: 1280, height: 720, format: 'jpeg' });
    const result = accepted(await inspector.inspectPicture(jpeg));
    expect(result).toMatchObject({ format: 'jpeg', sourceWidth: 1280, sourceHeight: 720, warnings: [], sizeBytes: jpeg.length });
    expect(result.image).toMatchObject({ mimeType: 'image/jpeg', width: 1280, height: 720 });
    const decoded = await sharp(result.image.bytes).metadata();
    expect([decoded.format, decoded.width, decoded.height]).toEqual(['jpeg', 1280, 720]);
  });

  it('centre-crops a 4:3 picture to 16:9 and warns PictureCroppedTo16x9', async () => {
    const result = accepted(await inspector.inspectPicture(await makeImage({ width: 1024, height: 768, format: 'png' })));
    expect(result.warnings).toEqual(['PictureCroppedTo16x9']);
    expect(result.image).toMatchObject({ width: 1024, height: 576 });
    const decoded = await sharp(result.image.bytes).metadata();
    expect([decoded.width, decoded.height]).toEqual([1024, 576]);
  });

  it('keeps a picture within 1 % of 16:9 whole', async () => {
    const result = accepted(await inspector.inspectPicture(await makeImage({ width: 1366, height: 768, format: 'jpeg' })));
    expect(result.warnings).toEqual([]);
    expect(result.image).toMatchObject({ width: 1366, height: 768 });
  });

  it('scales a picture larger than 1920×1080 down to fit it', async () => {
    const result = accepted(await inspector.inspectPicture(await makeImage({ width: 3840, height: 2160, format: 'jpeg' })));
    expect(result.image).toMatchObject({ width: 1920, height: 1080 });
    expect(result).toMatchObject({ sourceWidth: 3840, sourceHeight: 2160 });
  });

  it('accepts a WebP picture', async () => {
    const result = accepted(await inspector.inspectPicture(await makeImage({ width: 1920, height: 1080, format: 'webp' })));
    expect(result).toMatchObject({ format: 'webp', warnings: [] });
    expect(result.image).toMatchObject({ mimeType: 'image/jpeg', width: 1920, height: 1080 });
  });

  it('keeps transparency as PNG', async () => {
    const result = accepted(await inspector.inspectPicture(await makeImage({ width: 1024, height: 576, format: 'png', alpha: true })));
    expect(result.image.mimeType).toBe('image/png');
    expect((await sharp(result.image.bytes).metadata()).hasAlpha).toBe(true);
  });

  it('applies the EXIF orientation before judging the shape', async () => {
    // Stored as 1080×1920 with "rotate 90°": it is a 1920×1080 picture once shown the right way up.
    const rotated = await sharp(await makeImage({ width: 1080, height: 1920, format: 'jpeg' }))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const result = accepted(await inspector.inspectPicture(rotated));
    expect(result).toMatchObject({ sourceWidth: 1920, sourceHeight: 1080, warnings: [] });
    expect(result.image).toMatchObject({ width: 1920, height: 1080 });
  });

  it('strips metadata such as EXIF from the normalized picture', async () => {
    const tagged = await sharp(await makeImage({ width: 1280, height: 720, format: 'jpeg' }))
      .withExif({ IFD0: { Copyright: 'Where it was taken' } })
      .jpeg()
      .toBuffer();
    const result = accepted(await inspector.inspectPicture(tagged));
    expect((await sharp(result.image.bytes).metadata()).exif).toBeUndefined();
  });

  it('when the picture is smaller than 512×288, fails with PictureTooSmall', async () => {
    const result = await inspector.inspectPicture(await makeImage({ width: 480, height: 270, format: 'jpeg' }));
    expect(result).toMatchObject({ ok: false, code: 'PictureTooSmall', detail: 'The picture is 480×270 pixels; it must be at least 512×288.' });
  });

  it('when a tall picture keeps too small a 16:9 band, fails with PictureTooSmall', async () => {
    const result = await inspector.inspectPicture(await makeImage({ width: 400, height: 1200, format: 'png' }));
    expect(result).toMatchObject({ ok: false, code: 'PictureTooSmall', detail: expect.stringContaining('400×225 once cropped') });
  });

  it('when the file is over 10 MB, fails with PictureTooLarge before decoding it', async () => {
    const jpeg = await makeImage({ width: 1280, height: 720, format: 'jpeg' });
    const padded = Buffer.concat([jpeg, Buffer.alloc(10 * MiB)]);
    await expect(inspector.inspectPicture(padded)).resolves.toMatchObject({ ok: false, code: 'PictureTooLarge' });
  });

  it('when the picture has more than 40 megapixels, fails with PictureTooLarge', async () => {
    const huge = await sharp({ create: { width: 10_000, height: 5_000, channels: 3, background: '#808080' } }).png({ compressionLevel: 9 }).toBuffer();
    expect(huge.length).toBeLessThan(10 * MiB);
    await expect(inspector.inspectPicture(huge)).resolves.toMatchObject({ ok: false, code: 'PictureTooLarge', detail: expect.stringContaining('10000×5000') });
  });

  it('when the bytes carry a PNG signature but no image, fails with PictureCorrupt', async () => {
    const png = await makeImage({ width: 1280, height: 720, format: 'png' });
    const corrupt = Buffer.concat([png.subarray(0, 16), Buffer.alloc(4096, 0x5a)]);
    await expect(inspector.inspectPicture(corrupt)).resolves.toMatchObject({ ok: false, code: 'PictureCorrupt' });
  });

  it('when a JPEG is cut off halfway, fails with PictureCorrupt', async () => {
    const jpeg = await makeImage({ width: 1280, height: 720, format: 'jpeg' });
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length / 2));
    await expect(inspector.inspectPicture(truncated)).resolves.toMatchObject({ ok: false, code: 'PictureCorrupt' });
  });

  it('when the file is not an accepted image type, fails with PictureInvalidFormat', async () => {
    await expect(inspector.inspectPicture(renamedTextFile('me.jpg').bytes)).resolves.toMatchObject({ ok: false, code: 'PictureInvalidFormat' });
    await expect(inspector.inspectPicture(makeWav({ seconds: 1 }))).resolves.toMatchObject({
      ok: false,
      code: 'PictureInvalidFormat',
      detail: 'The picture is audio/wav; it must be one of: jpeg, png, webp.',
    });
    const gif = await sharp({ create: { width: 1280, height: 720, channels: 3, background: '#808080' } }).gif().toBuffer();
    await expect(inspector.inspectPicture(gif)).resolves.toMatchObject({ ok: false, code: 'PictureInvalidFormat' });
  });
});

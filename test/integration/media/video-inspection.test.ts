import { describe, expect, it } from 'vitest';
import { createLibraryMediaInspector } from '../../../shared/adapters/media/library-media-inspector.js';
import { makeImage, makeMp4, makeWav, makeWebm, MiB, renamedTextFile } from '../../support/media-fixtures.js';

const inspector = createLibraryMediaInspector();

describe('video inspection', () => {
  it('accepts a 30 s mp4 and reads its length from the file', async () => {
    const mp4 = makeMp4({ seconds: 30 });
    await expect(inspector.inspectVideo(mp4)).resolves.toEqual({ ok: true, format: 'mp4', mimeType: 'video/mp4', durationSeconds: 30, sizeBytes: mp4.length });
  });

  it('reads the length of a silent video from its movie header', async () => {
    await expect(inspector.inspectVideo(makeMp4({ seconds: 42.5, audio: false }))).resolves.toMatchObject({ ok: true, durationSeconds: 42.5 });
  });

  it('accepts a QuickTime mov and a WebM', async () => {
    await expect(inspector.inspectVideo(makeMp4({ seconds: 10, brand: 'qt  ' }))).resolves.toMatchObject({ ok: true, format: 'mov', mimeType: 'video/quicktime' });
    await expect(inspector.inspectVideo(makeWebm({ seconds: 20 }))).resolves.toMatchObject({ ok: true, format: 'webm', durationSeconds: 20 });
  });

  it('when the video is longer than 120 s, fails with VideoTooLong', async () => {
    await expect(inspector.inspectVideo(makeMp4({ seconds: 121 }))).resolves.toMatchObject({
      ok: false,
      code: 'VideoTooLong',
      detail: 'The video is 121.0 s long; it must be at most 120 s.',
    });
    await expect(inspector.inspectVideo(makeWebm({ seconds: 600 }))).resolves.toMatchObject({ ok: false, code: 'VideoTooLong' });
  });

  it('when the video is shorter than 5 s, fails with VideoTooShort', async () => {
    await expect(inspector.inspectVideo(makeMp4({ seconds: 3 }))).resolves.toMatchObject({ ok: false, code: 'VideoTooShort' });
  });

  it('when the file is over 100 MB, fails with VideoTooLarge', async () => {
    const padded = Buffer.concat([makeMp4({ seconds: 30 }), Buffer.alloc(100 * MiB)]);
    await expect(inspector.inspectVideo(padded)).resolves.toMatchObject({ ok: false, code: 'VideoTooLarge' });
  });

  it('when the file is not a video type, fails with VideoInvalidFormat', async () => {
    await expect(inspector.inspectVideo(makeWav({ seconds: 30 }))).resolves.toMatchObject({ ok: false, code: 'VideoInvalidFormat' });
    await expect(inspector.inspectVideo(await makeImage({ width: 640, height: 360, format: 'jpeg' }))).resolves.toMatchObject({
      ok: false,
      code: 'VideoInvalidFormat',
      detail: 'The video is image/jpeg; it must be one of: mp4, mov, webm.',
    });
    await expect(inspector.inspectVideo(renamedTextFile('clip.mp4').bytes)).resolves.toMatchObject({ ok: false, code: 'VideoInvalidFormat' });
  });

  it('when an mp4 or a WebM holds only audio, fails with VideoInvalidFormat', async () => {
    await expect(inspector.inspectVideo(makeMp4({ seconds: 30, video: false }))).resolves.toMatchObject({
      ok: false,
      code: 'VideoInvalidFormat',
      detail: 'The file holds no video track.',
    });
    await expect(inspector.inspectVideo(makeWebm({ seconds: 30, video: false }))).resolves.toMatchObject({ ok: false, code: 'VideoInvalidFormat' });
  });

  it('when an mp4 is cut off inside its movie box, fails with VideoCorrupt', async () => {
    const mp4 = makeMp4({ seconds: 30 });
    await expect(inspector.inspectVideo(mp4.subarray(0, 60))).resolves.toMatchObject({ ok: false, code: 'VideoCorrupt' });
  });
});

import { describe, expect, it } from 'vitest';
import { createLibraryMediaInspector } from '../../../shared/adapters/media/library-media-inspector.js';
import { makeImage, makeMp4, makeWav, makeWebm, MiB, renamedTextFile, wavSecondsForBytes } from '../../support/media-fixtures.js';

const inspector = createLibraryMediaInspector();

describe('voice sample inspection', () => {
  it('accepts a 90 s WAV and reads its length from the file', async () => {
    const wav = makeWav({ seconds: 90 });
    const result = await inspector.inspectVoiceSample(wav);
    expect(result).toEqual({ ok: true, format: 'wav', mimeType: 'audio/wav', durationSeconds: 90, sizeBytes: wav.length });
  });

  it('when the voice sample is 45 s long, fails with VoiceSampleTooShort', async () => {
    const result = await inspector.inspectVoiceSample(makeWav({ seconds: 45 }));
    expect(result).toMatchObject({ ok: false, code: 'VoiceSampleTooShort', detail: 'The voice sample is 45.0 s long; it must be at least 60 s.' });
  });

  it('when the voice sample is 301 s long, fails with VoiceSampleTooLong', async () => {
    // 8 kHz keeps 301 s under the size limit (4.8 MB), so length is the only rule it breaks.
    const wav = makeWav({ seconds: 301, sampleRate: 8_000 });
    expect(wav.length).toBeLessThan(10 * MiB);
    const result = await inspector.inspectVoiceSample(wav);
    expect(result).toMatchObject({ ok: false, code: 'VoiceSampleTooLong', detail: 'The voice sample is 301.0 s long; it must be at most 300 s.' });
  });

  it('when the voice sample is 11 MB, fails with VoiceSampleTooLarge', async () => {
    const wav = makeWav({ seconds: wavSecondsForBytes(11 * MiB, { sampleRate: 44_100 }), sampleRate: 44_100 });
    expect(wav.length).toBeGreaterThanOrEqual(11 * MiB - 2);
    const result = await inspector.inspectVoiceSample(wav);
    expect(result).toMatchObject({ ok: false, code: 'VoiceSampleTooLarge', detail: 'The voice sample is 11.0 MB; it must be at most 10.0 MB.' });
  });

  it('when the voice sample is a text file renamed to .wav, fails with VoiceSampleInvalidFormat', async () => {
    const { bytes } = renamedTextFile('voice.wav');
    const result = await inspector.inspectVoiceSample(bytes);
    expect(result).toMatchObject({ ok: false, code: 'VoiceSampleInvalidFormat' });
  });

  it('refuses a picture as a voice sample, naming what it is', async () => {
    const result = await inspector.inspectVoiceSample(await makeImage({ width: 64, height: 64, format: 'png' }));
    expect(result).toMatchObject({ ok: false, code: 'VoiceSampleInvalidFormat', detail: expect.stringContaining('image/png') });
  });

  it('accepts the boundaries: exactly 60 s and exactly 300 s', async () => {
    await expect(inspector.inspectVoiceSample(makeWav({ seconds: 60, sampleRate: 8_000 }))).resolves.toMatchObject({ ok: true, durationSeconds: 60 });
    await expect(inspector.inspectVoiceSample(makeWav({ seconds: 300, sampleRate: 8_000 }))).resolves.toMatchObject({ ok: true, durationSeconds: 300 });
  });

  it('reads the length of the audio track of an m4a and an mp4', async () => {
    await expect(inspector.inspectVoiceSample(makeMp4({ seconds: 75, brand: 'M4A ', video: false }))).resolves.toMatchObject({
      ok: true,
      format: 'm4a',
      durationSeconds: 75,
    });
    await expect(inspector.inspectVoiceSample(makeMp4({ seconds: 120 }))).resolves.toMatchObject({ ok: true, format: 'mp4', durationSeconds: 120 });
  });

  it('reads the length of a WebM recording', async () => {
    await expect(inspector.inspectVoiceSample(makeWebm({ seconds: 61, video: false }))).resolves.toMatchObject({
      ok: true,
      format: 'webm',
      durationSeconds: 61,
    });
  });

  it('refuses an mp4 without an audio track', async () => {
    const result = await inspector.inspectVoiceSample(makeMp4({ seconds: 90, audio: false }));
    expect(result).toMatchObject({ ok: false, code: 'VoiceSampleInvalidFormat' });
  });

  it('refuses a WAV whose header is followed by garbage as unreadable rather than guessing', async () => {
    const wav = makeWav({ seconds: 90 });
    const damaged = Buffer.concat([wav.subarray(0, 12), Buffer.alloc(200, 0xff)]);
    const result = await inspector.inspectVoiceSample(damaged);
    expect(result).toMatchObject({ ok: false, code: 'VoiceSampleInvalidFormat' });
  });
});

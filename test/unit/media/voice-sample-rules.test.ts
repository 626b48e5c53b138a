import { describe, expect, it } from 'vitest';
import { VOICE_SAMPLE_LIMITS } from '../../../shared/domain/media/media-limits.js';
import {
  voiceSampleAudioFailure,
  voiceSampleFormatOf,
  voiceSampleSizeFailure,
} from '../../../shared/domain/media/voice-sample-rules.js';

describe('voice sample rules', () => {
  it.each([
    ['mp3', 'audio/mpeg', 'mp3'],
    ['wav', 'audio/wav', 'wav'],
    ['m4a', 'audio/x-m4a', 'm4a'],
    ['flac', 'audio/flac', 'flac'],
    ['ogg', 'audio/ogg', 'ogg'],
    ['opus', 'audio/ogg; codecs=opus', 'ogg'],
    ['oga', 'audio/ogg', 'ogg'],
    ['webm', 'video/webm', 'webm'],
    ['mp4', 'video/mp4', 'mp4'],
  ])('accepts a file sniffed as %s (%s) as %s', (extension, mimeType, format) => {
    expect(voiceSampleFormatOf({ extension, mimeType })).toBe(format);
  });

  it.each([
    ['mov', 'video/quicktime'],
    ['aiff', 'audio/aiff'],
    ['png', 'image/png'],
    ['mkv', 'video/matroska'],
  ])('refuses a file sniffed as %s with VoiceSampleInvalidFormat', (extension, mimeType) => {
    expect(voiceSampleFormatOf({ extension, mimeType })).toEqual({
      ok: false,
      code: 'VoiceSampleInvalidFormat',
      detail: `The voice sample is ${mimeType}; it must be audio in one of: mp3, wav, m4a, flac, ogg, webm, mp4.`,
    });
  });

  it('refuses bytes nothing recognised, such as text', () => {
    expect(voiceSampleFormatOf(undefined)).toMatchObject({ code: 'VoiceSampleInvalidFormat', detail: expect.stringContaining('not a recognised media file') });
  });

  it('allows exactly 10 MB and refuses one byte more', () => {
    expect(voiceSampleSizeFailure(VOICE_SAMPLE_LIMITS.maxBytes)).toBeUndefined();
    expect(voiceSampleSizeFailure(VOICE_SAMPLE_LIMITS.maxBytes + 1)).toMatchObject({ code: 'VoiceSampleTooLarge' });
  });

  it.each([
    [59.9, 'VoiceSampleTooShort'],
    [60, undefined],
    [180, undefined],
    [300, undefined],
    [300.1, 'VoiceSampleTooLong'],
  ])('judges %s s as %s', (seconds, code) => {
    expect(voiceSampleAudioFailure({ hasAudio: true, durationSeconds: seconds })?.code).toBe(code);
  });

  it('refuses a file without audio or without a readable length as an invalid format', () => {
    expect(voiceSampleAudioFailure({ hasAudio: false, durationSeconds: 90 })).toMatchObject({ code: 'VoiceSampleInvalidFormat', detail: 'The voice sample holds no audio track.' });
    expect(voiceSampleAudioFailure({ hasAudio: true, durationSeconds: undefined })).toMatchObject({ code: 'VoiceSampleInvalidFormat' });
    expect(voiceSampleAudioFailure({ hasAudio: true, durationSeconds: Number.NaN })).toMatchObject({ code: 'VoiceSampleInvalidFormat' });
  });
});

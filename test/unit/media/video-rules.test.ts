import { describe, expect, it } from 'vitest';
import { VIDEO_LIMITS } from '../../../shared/domain/media/media-limits.js';
import { videoContentFailure, videoFormatOf, videoSizeFailure } from '../../../shared/domain/media/video-rules.js';

describe('video rules', () => {
  it('accepts mp4 (and Apple m4v), mov and webm', () => {
    expect(videoFormatOf({ extension: 'mp4', mimeType: 'video/mp4' })).toBe('mp4');
    expect(videoFormatOf({ extension: 'm4v', mimeType: 'video/x-m4v' })).toBe('mp4');
    expect(videoFormatOf({ extension: 'mov', mimeType: 'video/quicktime' })).toBe('mov');
    expect(videoFormatOf({ extension: 'webm', mimeType: 'video/webm' })).toBe('webm');
  });

  it('refuses other containers with VideoInvalidFormat', () => {
    expect(videoFormatOf({ extension: 'mkv', mimeType: 'video/matroska' })).toMatchObject({ code: 'VideoInvalidFormat' });
    expect(videoFormatOf({ extension: 'avi', mimeType: 'video/vnd.avi' })).toMatchObject({ code: 'VideoInvalidFormat' });
    expect(videoFormatOf(undefined)).toMatchObject({ code: 'VideoInvalidFormat' });
  });

  it('allows exactly 100 MB and refuses one byte more', () => {
    expect(videoSizeFailure(VIDEO_LIMITS.maxBytes)).toBeUndefined();
    expect(videoSizeFailure(VIDEO_LIMITS.maxBytes + 1)).toMatchObject({ code: 'VideoTooLarge' });
  });

  it.each([
    [4.9, 'VideoTooShort'],
    [5, undefined],
    [120, undefined],
    [120.5, 'VideoTooLong'],
  ])('judges %s s as %s', (seconds, code) => {
    expect(videoContentFailure({ hasVideo: true, durationSeconds: seconds })?.code).toBe(code);
  });

  it('refuses a file without a video track, and calls an unreadable length corrupt', () => {
    expect(videoContentFailure({ hasVideo: false, durationSeconds: 30 })).toMatchObject({ code: 'VideoInvalidFormat' });
    expect(videoContentFailure({ hasVideo: true, durationSeconds: undefined })).toMatchObject({ code: 'VideoCorrupt' });
  });
});

import { describe, expect, it } from 'vitest';
import { roundViewRegion } from '../../../shared/domain/media/avatar-views.js';
import { PICTURE_LIMITS } from '../../../shared/domain/media/media-limits.js';
import {
  centreCropTo16x9,
  pictureFormatOf,
  picturePixelsFailure,
  pictureResolutionFailure,
  pictureSizeFailure,
} from '../../../shared/domain/media/picture-rules.js';

describe('picture rules', () => {
  it('accepts jpeg, png and webp and nothing else', () => {
    expect(pictureFormatOf({ extension: 'jpg', mimeType: 'image/jpeg' })).toBe('jpeg');
    expect(pictureFormatOf({ extension: 'png', mimeType: 'image/png' })).toBe('png');
    expect(pictureFormatOf({ extension: 'webp', mimeType: 'image/webp' })).toBe('webp');
    expect(pictureFormatOf({ extension: 'gif', mimeType: 'image/gif' })).toMatchObject({ code: 'PictureInvalidFormat' });
    expect(pictureFormatOf({ extension: 'heic', mimeType: 'image/heic' })).toMatchObject({ code: 'PictureInvalidFormat' });
    expect(pictureFormatOf(undefined)).toMatchObject({ code: 'PictureInvalidFormat' });
  });

  it('allows exactly 10 MB and refuses one byte more', () => {
    expect(pictureSizeFailure(PICTURE_LIMITS.maxBytes)).toBeUndefined();
    expect(pictureSizeFailure(PICTURE_LIMITS.maxBytes + 1)).toMatchObject({ code: 'PictureTooLarge' });
  });

  it('refuses more than 40 megapixels', () => {
    expect(picturePixelsFailure(8000, 5000)).toBeUndefined();
    expect(picturePixelsFailure(8001, 5000)).toMatchObject({ code: 'PictureTooLarge' });
  });

  it.each([
    [1920, 1080],
    [1280, 720],
    [1366, 768],
    [1920, 1088],
  ])('keeps %i×%i whole as 16:9', (width, height) => {
    expect(centreCropTo16x9(width, height)).toBeUndefined();
  });

  it('crops a 4:3 picture to its centred 16:9 band', () => {
    expect(centreCropTo16x9(1024, 768)).toEqual({ left: 0, top: 96, width: 1024, height: 576 });
  });

  it('crops a panorama to its centred 16:9 middle', () => {
    expect(centreCropTo16x9(3000, 1000)).toEqual({ left: 611, top: 0, width: 1778, height: 1000 });
  });

  it('crops a portrait picture to a 16:9 band in its middle', () => {
    expect(centreCropTo16x9(1080, 1920)).toEqual({ left: 0, top: 656, width: 1080, height: 608 });
  });

  it('judges the resolution of the region that is kept', () => {
    expect(pictureResolutionFailure(512, 288, undefined)).toBeUndefined();
    expect(pictureResolutionFailure(511, 288, undefined)).toMatchObject({ code: 'PictureTooSmall' });
    expect(pictureResolutionFailure(600, 600, centreCropTo16x9(600, 600))).toBeUndefined();
    expect(pictureResolutionFailure(500, 800, centreCropTo16x9(500, 800))).toMatchObject({
      code: 'PictureTooSmall',
      detail: 'The picture is 500×800 pixels (500×281 once cropped to 16:9); it must be at least 512×288.',
    });
  });

  it('places the round view square high and centred', () => {
    expect(roundViewRegion(1920, 1080)).toEqual({ left: 528, top: 54, width: 864, height: 864 });
    const tall = roundViewRegion(600, 900);
    expect(tall).toEqual({ left: 0, top: 75, width: 600, height: 600 });
  });
});

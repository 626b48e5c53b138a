import { portraitRequestSchema, roundViewRegion, type AvatarViewRenderer, type AvatarViewSet, type PortraitRequest } from '../../domain/media/avatar-views.js';
import type { ImageAsset } from '../../domain/media/media-inspector.js';
import { AVATAR_VIEW_SIZES } from '../../domain/media/media-limits.js';
import { loadSharp } from './media-libraries.js';
import { portraitFeatures, portraitSvg } from './portrait-svg.js';

export const SILHOUETTE_ABSENT_REASON =
  'The local avatar engine cannot remove backgrounds, so it makes no silhouette view; an engine with background removal is needed for one.';

function circleMask(size: number): Buffer {
  const r = size / 2;
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><circle cx="${r}" cy="${r}" r="${r}" fill="#fff"/></svg>`);
}

async function deriveViews(picture: Uint8Array): Promise<AvatarViewSet> {
  const sharp = await loadSharp();
  const { width, height } = (await sharp(picture).metadata()).autoOrient;

  const roundSize = AVATAR_VIEW_SIZES.round;
  // dest-in keeps the picture only where the mask is opaque: a transparent corner outside the circle.
  const round = await sharp(picture)
    .autoOrient()
    .extract(roundViewRegion(width, height))
    .resize(roundSize.width, roundSize.height)
    .ensureAlpha()
    .composite([{ input: circleMask(roundSize.width), blend: 'dest-in' }])
    .png()
    .toBuffer();

  const rectangleSize = AVATAR_VIEW_SIZES.rectangle;
  // `cover` is the centre crop to 16:9 and the scaling in one step; JPEG has no alpha, so transparency becomes white.
  const rectangle = await sharp(picture)
    .autoOrient()
    .resize(rectangleSize.width, rectangleSize.height, { fit: 'cover', position: 'centre' })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 88, mozjpeg: true })
    .toBuffer();

  return {
    views: {
      round: { bytes: round, mimeType: 'image/png', ...roundSize },
      rectangle: { bytes: rectangle, mimeType: 'image/jpeg', ...rectangleSize },
    },
    absent: { silhouette: SILHOUETTE_ABSENT_REASON },
  };
}

async function generatePortrait(request: PortraitRequest): Promise<ImageAsset> {
  const sharp = await loadSharp();
  const size = AVATAR_VIEW_SIZES.portrait;
  const svg = portraitSvg(portraitFeatures(portraitRequestSchema.parse(request)), size.width, size.height);
  const bytes = await sharp(Buffer.from(svg)).png().toBuffer();
  return { bytes, mimeType: 'image/png', ...size };
}

/** The local avatar engine's imaging: views cut from the picture with sharp, and a drawn portrait. */
export function createLocalAvatarViews(): AvatarViewRenderer {
  return { deriveViews, generatePortrait };
}

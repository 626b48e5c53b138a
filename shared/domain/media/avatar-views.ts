import { z } from 'zod';
import type { ImageAsset } from './media-inspector.js';
import type { Region } from './picture-rules.js';

export const AVATAR_VIEW_NAMES = ['round', 'rectangle', 'silhouette'] as const;
export type AvatarViewName = (typeof AVATAR_VIEW_NAMES)[number];

/** The views an engine made from one picture; a view it cannot make is absent, with the reason in `absent`. */
export interface AvatarViewSet {
  readonly views: Partial<Record<AvatarViewName, ImageAsset>>;
  readonly absent: Partial<Record<AvatarViewName, string>>;
}

export const portraitRequestSchema = z.object({
  description: z.string().max(4000),
  gender: z.enum(['male', 'female', 'nonBinary']).optional(),
  ethnicity: z.string().max(100).optional(),
  /** Same seed and fields, same portrait: a retried job must not produce a different face. */
  seed: z.string().min(1).max(200),
});
export type PortraitRequest = z.infer<typeof portraitRequestSchema>;

/** Makes avatar view images locally, without a rendering service. */
export interface AvatarViewRenderer {
  /** Rejects when the picture cannot be decoded; pictures are expected to have passed `inspectPicture`. */
  deriveViews(picture: Uint8Array): Promise<AvatarViewSet>;
  /** A 1920×1080 PNG portrait for a companion without a picture. */
  generatePortrait(request: PortraitRequest): Promise<ImageAsset>;
}

/**
 * The square for the round view: as tall as 80 % of the picture (a head-and-shoulders framing of a 16:9 shot),
 * centred horizontally and a quarter of the way down the spare height, where faces are in portraits.
 */
export function roundViewRegion(width: number, height: number): Region {
  const side = Math.max(1, Math.min(width, Math.round(height * 0.8)));
  return {
    left: Math.floor((width - side) / 2),
    top: Math.floor((height - side) / 4),
    width: side,
    height: side,
  };
}

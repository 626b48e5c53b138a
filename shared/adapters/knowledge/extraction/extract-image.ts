import type { VisionDescriber, VisionImageMimeType } from '../../../domain/knowledge/vision.js';
import { loadSharp } from '../../media/media-libraries.js';
import { failure, type ExtractedDocument, type ExtractionFailure } from './extraction-outcome.js';
import { markdownToBlocks } from './markdown-blocks.js';

/**
 * Images are read by a vision model: its Markdown answer (transcribed text, described figures) becomes the blocks.
 * The image is decoded first, so a damaged file fails as CorruptDocument without a paid model call, and scaled to
 * fit 2048 px, the most detail the model looks at anyway. An image of more than 64 megapixels is FileTooLarge.
 */

const MAX_SIDE = 2048;
/**
 * Decoding costs about 4 bytes a pixel, so a small, well-compressed file can still demand gigabytes (a decompression
 * bomb). 64 megapixels is more than any camera or scanner page needs.
 */
const MAX_PIXELS = 64_000_000;

export const VISION_NOT_CONFIGURED_DETAIL =
  'Text is read from images by an Azure OpenAI vision deployment, and none is configured (set AZURE_OPENAI_VISION_DEPLOYMENT).';

type Decoded = { readonly image: Buffer } | { readonly failure: ExtractionFailure };

async function decodedForVision(bytes: Uint8Array, type: 'png' | 'jpeg'): Promise<Decoded> {
  const sharp = await loadSharp();
  const damaged = { failure: failure('CorruptDocument', `The ${type.toUpperCase()} image is damaged and cannot be decoded.`) };
  try {
    const { width = 0, height = 0 } = await sharp(bytes).metadata();
    if (width * height > MAX_PIXELS) {
      const megapixels = Math.round((width * height) / 1_000_000);
      return { failure: failure('FileTooLarge', `The image has ${megapixels} megapixels (${width}×${height}); at most ${MAX_PIXELS / 1_000_000} are read.`) };
    }
    const image = sharp(bytes, { failOn: 'truncated', limitInputPixels: MAX_PIXELS })
      .rotate()
      .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true });
    return { image: await (type === 'png' ? image.png() : image.jpeg({ quality: 90 })).toBuffer() };
  } catch {
    // A decoder error means the file is damaged or not the image its signature claims: an answer, not a fault.
    return damaged;
  }
}

export async function extractImage(
  bytes: Uint8Array,
  type: 'png' | 'jpeg',
  vision: VisionDescriber | undefined,
): Promise<ExtractedDocument | ExtractionFailure> {
  if (vision === undefined) return failure('VisionNotConfigured', VISION_NOT_CONFIGURED_DETAIL);
  const decoded = await decodedForVision(bytes, type);
  if ('failure' in decoded) return decoded.failure;
  const mimeType: VisionImageMimeType = type === 'png' ? 'image/png' : 'image/jpeg';
  const description = await vision.describe(decoded.image, mimeType);
  return markdownToBlocks(description);
}

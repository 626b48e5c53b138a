import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createDocumentExtractor } from '../../../../shared/adapters/knowledge/extraction/document-extractor.js';
import type { VisionDescriber, VisionImageMimeType } from '../../../../shared/domain/knowledge/vision.js';
import { makePngHeaderOnly, truncated } from '../../../support/document-fixtures.js';
import { makeImage } from '../../../support/media-fixtures.js';

/** A describer that answers what it is told and remembers what it was shown. */
function scriptedVision(answer: string): VisionDescriber & { calls: { image: Uint8Array; mimeType: VisionImageMimeType }[] } {
  const calls: { image: Uint8Array; mimeType: VisionImageMimeType }[] = [];
  return {
    calls,
    describe(image, mimeType) {
      calls.push({ image, mimeType });
      return Promise.resolve(answer);
    },
  };
}

describe('image extraction', () => {
  it('without a vision deployment, fails with VisionNotConfigured and says an Azure OpenAI vision deployment is needed', async () => {
    const result = await createDocumentExtractor().extract(await makeImage({ width: 64, height: 64, format: 'png' }), 'png');
    expect(result).toMatchObject({ ok: false, code: 'VisionNotConfigured' });
    expect(result.ok ? '' : result.detail).toContain('Azure OpenAI vision deployment');
  });

  it('with a vision deployment, its Markdown answer becomes headings and paragraphs', async () => {
    const vision = scriptedVision('# Opening hours\n\nMonday to Friday, 9 to 17.\n\nA photo of the shop front with a blue door.');
    const result = await createDocumentExtractor({ vision }).extract(await makeImage({ width: 64, height: 48, format: 'jpeg' }), 'jpeg');
    expect(result).toEqual({
      ok: true,
      title: 'Opening hours',
      pageCount: undefined,
      blocks: [
        { kind: 'heading', level: 1, text: 'Opening hours' },
        { kind: 'paragraph', text: 'Monday to Friday, 9 to 17.' },
        { kind: 'paragraph', text: 'A photo of the shop front with a blue door.' },
      ],
    });
    expect(vision.calls).toHaveLength(1);
    expect(vision.calls[0]?.mimeType).toBe('image/jpeg');
    expect((await sharp(vision.calls[0]!.image).metadata()).format).toBe('jpeg');
  });

  it('scales a large image to fit 2048 px before sending it', async () => {
    const vision = scriptedVision('A wide diagram.');
    await createDocumentExtractor({ vision }).extract(await makeImage({ width: 3000, height: 1000, format: 'png' }), 'png');
    const sent = await sharp(vision.calls[0]!.image).metadata();
    expect([sent.format, sent.width, sent.height]).toEqual(['png', 2048, 683]);
  });

  it('when the image is damaged, fails with CorruptDocument without calling the model', async () => {
    const vision = scriptedVision('never asked');
    const damaged = truncated(await makeImage({ width: 400, height: 400, format: 'png' }), 0.5);
    expect(await createDocumentExtractor({ vision }).extract(damaged, 'png')).toMatchObject({ ok: false, code: 'CorruptDocument' });
    expect(vision.calls).toHaveLength(0);
  });

  it('when the image declares more than 64 megapixels, fails with FileTooLarge before decoding it', async () => {
    const vision = scriptedVision('never asked');
    const result = await createDocumentExtractor({ vision }).extract(makePngHeaderOnly(12_000, 9_000), 'png');
    expect(result).toMatchObject({ ok: false, code: 'FileTooLarge' });
    expect(result.ok ? '' : result.detail).toContain('108 megapixels');
    expect(vision.calls).toHaveLength(0);
  });

  it('when the model finds nothing in the image, fails with NoExtractableText', async () => {
    const result = await createDocumentExtractor({ vision: scriptedVision('') }).extract(await makeImage({ width: 64, height: 64, format: 'png' }), 'png');
    expect(result).toMatchObject({ ok: false, code: 'NoExtractableText' });
  });
});

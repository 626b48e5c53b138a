import type { AzureOpenAI } from 'openai';
import type { VisionDescriber, VisionImageMimeType } from '../../../domain/knowledge/vision.js';

/**
 * A VisionDescriber on an Azure OpenAI vision-capable chat deployment (gpt-4o, gpt-4.1, ...): the image goes inline as
 * a data URL, and the model answers in Markdown so that headings and tables survive into the knowledge chunks.
 * Retries of 429 and 5xx (honouring Retry-After) are the client's; what still fails is thrown.
 */

const INSTRUCTIONS = [
  'You turn images into text for a search index.',
  'Transcribe all readable text in the image exactly, in reading order, in its original language.',
  'Keep the structure in Markdown: headings as #, lists as -, tables as Markdown tables.',
  'Then describe every figure, chart, diagram or photo in one or two factual sentences each, with the values they show.',
  'Answer with the Markdown only, without any introduction or comment.',
  'If the image holds no text and nothing informative, answer with nothing at all.',
].join(' ');

export interface AzureOpenAIVisionDescriberOptions {
  readonly client: AzureOpenAI;
  /** The deployment name (Azure routes by deployment; it is also sent as the model). */
  readonly deployment: string;
}

export class VisionRefusedError extends Error {
  constructor(readonly deployment: string) {
    super(`The vision deployment ${deployment} refused the image (content filter).`);
    this.name = 'VisionRefusedError';
  }
}

export function createAzureOpenAIVisionDescriber({ client, deployment }: AzureOpenAIVisionDescriberOptions): VisionDescriber {
  return {
    async describe(image: Uint8Array, mimeType: VisionImageMimeType): Promise<string> {
      const url = `data:${mimeType};base64,${Buffer.from(image.buffer, image.byteOffset, image.byteLength).toString('base64')}`;
      const completion = await client.chat.completions.create({
        model: deployment,
        messages: [
          { role: 'system', content: INSTRUCTIONS },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Transcribe and describe this image.' },
              { type: 'image_url', image_url: { url, detail: 'high' } },
            ],
          },
        ],
      });
      const choice = completion.choices[0];
      if (choice?.finish_reason === 'content_filter') throw new VisionRefusedError(deployment);
      return choice?.message.content?.trim() ?? '';
    },
  };
}

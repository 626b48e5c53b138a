import { AzureOpenAI } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAzureOpenAIVisionDescriber } from '../../../../shared/adapters/knowledge/extraction/azure-openai-vision-describer.js';
import { createDocumentExtractor } from '../../../../shared/adapters/knowledge/extraction/document-extractor.js';
import { startFakeAzureOpenAI, type FakeAzureOpenAI } from '../../../fakes/azure-openai.js';
import { makeImage } from '../../../support/media-fixtures.js';

const API_VERSION = '2024-10-21';
const DEPLOYMENT = 'gpt-4o-vision';

describe('the Azure OpenAI vision describer, against the Azure OpenAI fake', () => {
  let fake: FakeAzureOpenAI;
  const client = (maxRetries = 0): AzureOpenAI =>
    new AzureOpenAI({ endpoint: fake.endpoint, apiKey: fake.apiKey, apiVersion: API_VERSION, deployment: DEPLOYMENT, maxRetries });

  beforeAll(async () => {
    fake = await startFakeAzureOpenAI({ deployments: { [DEPLOYMENT]: 'chat' } });
  });
  beforeEach(() => fake.reset());
  afterAll(async () => {
    await fake.close();
  });

  it('sends the image inline as a data URL with instructions to transcribe and describe, and returns the answer', async () => {
    fake.script({ content: '  # Price list\n\n| Item | Price |\n|---|---|\n| Tea | 2 EUR |\n' });
    const image = await makeImage({ width: 40, height: 30, format: 'png' });
    const text = await createAzureOpenAIVisionDescriber({ client: client(), deployment: DEPLOYMENT }).describe(image, 'image/png');

    expect(text).toBe('# Price list\n\n| Item | Price |\n|---|---|\n| Tea | 2 EUR |');
    const [request] = fake.requests();
    expect(request).toMatchObject({ deployment: DEPLOYMENT, operation: 'chat/completions', apiVersion: API_VERSION, auth: 'api-key' });
    const messages = request?.body['messages'] as { role: string; content: unknown }[];
    expect(messages[0]?.role).toBe('system');
    expect(String(messages[0]?.content)).toContain('Transcribe all readable text');
    const parts = messages[1]?.content as { type: string; image_url?: { url: string } }[];
    const url = parts.find((p) => p.type === 'image_url')?.image_url?.url ?? '';
    expect(url.startsWith('data:image/png;base64,')).toBe(true);
    expect(Buffer.from(url.slice('data:image/png;base64,'.length), 'base64').equals(image)).toBe(true);
  });

  it('through the extractor, a png becomes headings and table rows from the model’s Markdown', async () => {
    fake.script({ content: '# Price list\n\n| Item | Price |\n|---|---|\n| Tea | 2 EUR |' });
    const extractor = createDocumentExtractor({ vision: createAzureOpenAIVisionDescriber({ client: client(), deployment: DEPLOYMENT }) });
    const result = await extractor.extract(await makeImage({ width: 40, height: 30, format: 'png' }), 'png');
    expect(result).toMatchObject({
      ok: true,
      blocks: [
        { kind: 'heading', level: 1, text: 'Price list' },
        { kind: 'paragraph', text: 'Item | Price' },
        { kind: 'paragraph', text: 'Tea | 2 EUR' },
      ],
    });
  });

  it('when the deployment keeps failing, the error is thrown so that the ingest can be retried', async () => {
    fake.failNext(1, { status: 500 });
    const describer = createAzureOpenAIVisionDescriber({ client: client(), deployment: DEPLOYMENT });
    await expect(describer.describe(await makeImage({ width: 8, height: 8, format: 'jpeg' }), 'image/jpeg')).rejects.toMatchObject({ status: 500 });
  });

  it('retries a 429 as the client does, honouring Retry-After', async () => {
    fake.failNext(1, { status: 429, retryAfterSeconds: 1 });
    fake.script({ content: 'A receipt for 12 EUR.' });
    const describer = createAzureOpenAIVisionDescriber({ client: client(2), deployment: DEPLOYMENT });
    expect(await describer.describe(await makeImage({ width: 8, height: 8, format: 'jpeg' }), 'image/jpeg')).toBe('A receipt for 12 EUR.');
    expect(fake.requests()).toHaveLength(2);
  });
});

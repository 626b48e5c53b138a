import { AzureOpenAI } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeEmbedding, startFakeAzureOpenAI, type FakeAzureOpenAI } from '../../fakes/azure-openai.js';

const API_VERSION = '2024-10-21';

describe('the Azure OpenAI fake, driven by the real AzureOpenAI client', () => {
  let fake: FakeAzureOpenAI;
  const client = (deployment: string, maxRetries = 0): AzureOpenAI =>
    new AzureOpenAI({ endpoint: fake.endpoint, apiKey: fake.apiKey, apiVersion: API_VERSION, deployment, maxRetries });

  beforeAll(async () => {
    fake = await startFakeAzureOpenAI();
  });
  beforeEach(() => fake.reset());
  afterAll(async () => {
    await fake.close();
  });

  it('serves deterministic unit-length embeddings that are closer for texts sharing words', async () => {
    const result = await client('text-embedding-3-small').embeddings.create({
      model: 'text-embedding-3-small',
      input: ['refund policy for orders', 'our refund policy', 'weather on mars'],
    });
    const [a, b, c] = result.data.map((d) => d.embedding);
    const dot = (x: number[], y: number[]): number => x.reduce((s, v, i) => s + v * (y[i] ?? 0), 0);
    expect(a).toHaveLength(fake.embeddingDimensions);
    expect(dot(a!, a!)).toBeCloseTo(1, 6);
    expect(dot(a!, b!)).toBeGreaterThan(dot(a!, c!));
    const expected = fakeEmbedding('refund policy for orders', fake.embeddingDimensions);
    a!.forEach((value, i) => expect(value).toBeCloseTo(expected[i] ?? Number.NaN, 6));
    expect(fake.requests()[0]).toMatchObject({ deployment: 'text-embedding-3-small', apiVersion: API_VERSION, auth: 'api-key' });
  });

  it('answers chat from its script, including tool calls, then echoes', async () => {
    fake.script({ toolCalls: [{ name: 'lookup_order', arguments: { orderId: '42' } }] }, { content: 'Order 42 ships today.' });
    const chat = client('gpt-4o').chat.completions;
    const first = await chat.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Where is order 42?' }] });
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' ? JSON.parse(call.function.arguments) : undefined).toEqual({ orderId: '42' });
    const second = await chat.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'and?' }] });
    expect(second.choices[0]?.message.content).toBe('Order 42 ships today.');
    const echo = await chat.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] });
    expect(echo.choices[0]?.message.content).toBe('You said: hello');
  });

  it('returns 429 with Retry-After, which the client honours when it retries', async () => {
    fake.failNext(1, { status: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    const result = await client('gpt-4o', 2).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(result.choices[0]?.message.content).toBe('You said: hi');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(fake.requests()).toHaveLength(2);
  });

  it('fails with Azure error envelopes: 500, wrong key, unknown deployment', async () => {
    fake.failNext(1, { status: 500 });
    await expect(client('gpt-4o').chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 500 });
    const wrongKey = new AzureOpenAI({ endpoint: fake.endpoint, apiKey: 'nope', apiVersion: API_VERSION, deployment: 'gpt-4o', maxRetries: 0 });
    await expect(wrongKey.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 401 });
    await expect(client('missing').chat.completions.create({ model: 'missing', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 404, code: 'DeploymentNotFound' });
  });
});

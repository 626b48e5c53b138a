import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startAzurite } from '../local/emulators/azurite.js';
import { startCosmosServer } from '../local/emulators/cosmos.js';
import { startServiceProcess } from '../local/service-process.js';
import { startFakeAzureOpenAI, type ScriptedReply } from '../test/fakes/azure-openai.js';
import { startFakeToolServer } from '../test/fakes/tool-server.js';
import { round, timing, type Timing } from './stats.js';

/**
 * Turn overhead: the server's own time per text turn, i.e. the HTTP request's wall time minus the time the turn spent
 * waiting on the (fake) language model and on explicit functions' endpoints, which the service reports per turn
 * (`timings.modelMs`, `timings.toolMs`). The agent has a knowledge base of about 1,000 chunks, 5 functions (3
 * explicit, 2 implicit) and a 50-pair FAQ; the service runs as `npm start` does, with the emulators in this process
 * so the Cosmos server's request counter gives the store operations of each turn.
 */

export interface TurnKindFigures {
  readonly kind: string;
  readonly turns: number;
  /** Wall time of the request, as the client saw it. */
  readonly wall: Timing;
  /** Wall time minus model and endpoint waits. */
  readonly overhead: Timing;
  readonly modelMs: Timing;
  readonly toolMs: Timing;
  /** Cosmos requests per turn (mean; every turn of a kind makes the same ones). */
  readonly storeOpsPerTurn: number;
}

export interface TurnOverheadResults {
  readonly chunks: number;
  readonly faqPairs: number;
  readonly functions: number;
  readonly kinds: TurnKindFigures[];
  readonly overall: Timing;
  readonly targetP95Ms: 15;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of the service
type Json = Record<string, any>;

const WORDS = (
  'kettle warranty descaling filter lid hinge element boil water temperature setting display button power cable base ' +
  'cleaning vinegar limescale capacity litre handle spout indicator light safety switch automatic shutoff travel ' +
  'voltage plug socket replacement part order delivery return refund invoice account support service guide manual'
).split(' ');

function manual(sections: number): string {
  const lines: string[] = ['# Product manual', ''];
  let seed = 7;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  for (let s = 1; s <= sections; s += 1) {
    lines.push(`## Topic ${s}: ${WORDS[next() % WORDS.length]} and ${WORDS[next() % WORDS.length]}`, '');
    const words: string[] = [];
    while (words.join(' ').length < 760) words.push(WORDS[next() % WORDS.length] as string);
    lines.push(`${words.join(' ')}.`, '');
  }
  return lines.join('\n');
}

export async function runTurnOverheadBench(options: { turnsPerKind: number; sections?: number }): Promise<TurnOverheadResults> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'companion-turn-bench-'));
  const azurite = await startAzurite({ location: path.join(root, 'azurite') });
  const cosmos = await startCosmosServer({ certDir: path.join(root, 'cosmos') });
  const llm = await startFakeAzureOpenAI();
  const tools = await startFakeToolServer();
  const apiKey = `bench_${'t'.repeat(30)}`;
  const service = await startServiceProcess({
    COMPANION_DATA_DIR: path.join(root, 'data'),
    COMPANION_BOOTSTRAP_API_KEY: apiKey,
    COMPANION_ALLOW_PRIVATE_URLS: '1',
    AzureWebJobsStorage: azurite.connectionString,
    COSMOS_ENDPOINT: cosmos.endpoint,
    COSMOS_KEY: cosmos.key,
    COSMOS_EMULATOR_CERT_FILE: cosmos.certFile,
    AZURE_OPENAI_ENDPOINT: llm.endpoint,
    AZURE_OPENAI_API_KEY: llm.apiKey,
    AZURE_OPENAI_CHAT_DEPLOYMENT: 'gpt-4o',
  });
  const call = async (method: string, route: string, body?: unknown, bearer?: string): Promise<Json> => {
    const headers: Record<string, string> = bearer === undefined ? { 'x-api-key': apiKey } : { authorization: `Bearer ${bearer}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${service.url}/${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
    return (text === '' ? {} : JSON.parse(text)) as Json;
  };
  try {
    // The knowledge base: one manual of many short sections, ingested by the blob trigger.
    const base = await call('POST', 'public/knowledge-bases', { name: 'Manuals' });
    const form = new FormData();
    form.append('file', new Blob([manual(options.sections ?? 1000)], { type: 'text/markdown' }), 'manual.md');
    const uploaded = await fetch(`${service.url}/public/knowledge-bases/${base.id}/files`, { method: 'POST', headers: { 'x-api-key': apiKey }, body: form });
    const file = (await uploaded.json()) as Json;
    let chunks = 0;
    for (const deadline = Date.now() + 120_000; ; ) {
      const state = await call('GET', `public/knowledge-bases/${base.id}/files/${file.id}`);
      if (state.status === 'ready') {
        chunks = state.chunkCount as number;
        break;
      }
      if (state.status === 'failed' || Date.now() > deadline) throw new Error(`the manual did not become ready: ${JSON.stringify(state)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const faqs = Array.from({ length: 50 }, (_, i) => ({
      question: `How do I use the ${WORDS[i % WORDS.length]} feature number ${i + 1}?`,
      answer: `Use the ${WORDS[i % WORDS.length]} feature ${i + 1} from the settings menu.`,
    }));
    const faq = await call('POST', 'public/faqs', { name: 'Support', faqs });
    const functionIds: string[] = [];
    for (const name of ['order_status', 'stock_level', 'store_hours']) {
      tools.on(`/${name}`, { kind: 'json', body: ({ arguments: args }) => ({ name, args, ok: true }) });
      const fn = await call('POST', 'public/functions', {
        data: { name, parameters: { type: 'object', properties: { id: { type: 'string' } } } },
        flow: 'explicit',
        url: `${tools.httpUrl}/${name}`,
      });
      tools.setSecret(`/${name}`, fn.signingSecret as string);
      functionIds.push(fn.id as string);
    }
    for (const name of ['open_page', 'show_map']) {
      functionIds.push((await call('POST', 'public/functions', { data: { name }, flow: 'implicit' })).id as string);
    }
    const stock = (await call('GET', 'public/companions/stock')).items[0];
    const agent = await call('POST', 'public/agents', {
      companionId: stock.id,
      name: 'Bench agent',
      voiceId: 'coral',
      faqCollections: [faq.id],
      knowledgeBaseId: base.id,
      functions: functionIds,
      providerSettings: { instructions: 'Help with the products.' },
    });

    const kinds: { kind: string; script: () => ScriptedReply[]; text: string }[] = [
      { kind: 'reply only', script: () => [{ content: 'Sure.' }], text: 'Hello there, can you help me with my kettle?' },
      {
        kind: 'knowledge search, then reply',
        script: () => [{ toolCalls: [{ name: 'search_knowledge', arguments: { query: 'descaling limescale vinegar' } }] }, { content: 'Descale monthly.' }],
        text: 'How do I remove limescale?',
      },
      {
        kind: 'explicit function, then reply',
        script: () => [{ toolCalls: [{ name: 'order_status', arguments: { id: 'A-1' } }] }, { content: 'It has shipped.' }],
        text: 'Where is my order A-1?',
      },
    ];
    const session = await call('POST', `public/agents/${agent.id}/connections`, { channelType: 'text' });
    const say = async (text: string) => call('POST', `public/sessions/${session.connection.id}/messages`, { text }, session.token as string);
    // Warm-up: first search builds the embedded index, first calls open connections and load code.
    for (const kind of kinds) {
      for (let i = 0; i < 3; i += 1) {
        llm.script(...kind.script());
        await say(kind.text);
      }
    }

    const figures: TurnKindFigures[] = [];
    const allOverheads: number[] = [];
    const samples = new Map(kinds.map((k) => [k.kind, { wall: [] as number[], overhead: [] as number[], model: [] as number[], tool: [] as number[], ops: 0 }]));
    // Interleaved, so drift affects every kind alike; a fresh session every 25 turns keeps transcripts realistic.
    let current = session;
    for (let i = 0; i < options.turnsPerKind; i += 1) {
      if (i % 25 === 0 && i > 0) current = await call('POST', `public/agents/${agent.id}/connections`, { channelType: 'text' });
      for (const kind of kinds) {
        llm.script(...kind.script());
        const opsBefore = cosmos.requestCount();
        const started = performance.now();
        const reply = await call('POST', `public/sessions/${current.connection.id}/messages`, { text: kind.text }, current.token as string);
        const wall = performance.now() - started;
        const ops = cosmos.requestCount() - opsBefore;
        const timings = reply.timings as { modelMs: number; toolMs: number };
        const sample = samples.get(kind.kind)!;
        sample.wall.push(wall);
        sample.overhead.push(wall - timings.modelMs - timings.toolMs);
        sample.model.push(timings.modelMs);
        sample.tool.push(timings.toolMs);
        sample.ops += ops;
        allOverheads.push(wall - timings.modelMs - timings.toolMs);
      }
    }
    for (const kind of kinds) {
      const sample = samples.get(kind.kind)!;
      figures.push({
        kind: kind.kind,
        turns: sample.wall.length,
        wall: timing(sample.wall),
        overhead: timing(sample.overhead),
        modelMs: timing(sample.model),
        toolMs: timing(sample.tool),
        storeOpsPerTurn: round(sample.ops / sample.wall.length, 2),
      });
    }
    return { chunks, faqPairs: faqs.length, functions: functionIds.length, kinds: figures, overall: timing(allOverheads), targetP95Ms: 15 };
  } finally {
    await service.stop();
    await tools.close();
    await llm.close();
    await Promise.all([azurite.stop(), cosmos.stop()]);
    rmSync(root, { recursive: true, force: true });
  }
}

import { describe, expect, it } from 'vitest';
import { createDocumentExtractor } from '../../../../shared/adapters/knowledge/extraction/document-extractor.js';
import type { DocumentBlock } from '../../../../shared/domain/knowledge/chunking.js';
import type { ExtractionResult } from '../../../../shared/domain/knowledge/extraction.js';
import type { KnowledgeFileType } from '../../../../shared/domain/knowledge/file-types.js';
import { SAMPLE_CSV, SAMPLE_HTML, SAMPLE_JSON, SAMPLE_MARKDOWN, SAMPLE_TEXT, overLimitFile, textFile } from '../../../support/document-fixtures.js';

const extractor = createDocumentExtractor();
const extract = (text: string, type: KnowledgeFileType): Promise<ExtractionResult> => extractor.extract(textFile(text), type);

function blocksOf(result: ExtractionResult): readonly DocumentBlock[] {
  if (!result.ok) throw new Error(`extraction failed: ${result.code} ${result.detail}`);
  return result.blocks;
}

describe('HTML extraction', () => {
  it('removes markup, keeps h1–h3 as headings, lists and table rows as paragraphs, and drops scripts, styles, navigation and hidden text', async () => {
    const result = await extract(SAMPLE_HTML, 'html');
    expect(result).toMatchObject({ ok: true, title: 'Shipping help' });
    expect(blocksOf(result)).toEqual([
      { kind: 'heading', level: 1, text: 'Shipping' },
      { kind: 'paragraph', text: 'We ship to 40 countries within "5 days".' },
      { kind: 'heading', level: 2, text: 'Returns' },
      { kind: 'paragraph', text: 'Returns are free within 30 days.' },
      { kind: 'paragraph', text: 'Items must be unused.' },
      { kind: 'heading', level: 3, text: 'Refund timing' },
      { kind: 'paragraph', text: 'Refunds reach your card in 3 to 5 business days.\nStore credit is immediate.' },
      { kind: 'paragraph', text: 'Zone | Price' },
      { kind: 'paragraph', text: 'EU | 5 EUR' },
      { kind: 'paragraph', text: 'US | 9 USD' },
      { kind: 'paragraph', text: 'Example Ltd, 1 Harbour Street' },
    ]);
  });

  it('when a page has only scripts and navigation, fails with NoExtractableText', async () => {
    const html = '<html><head><script>alert("x")</script></head><body><nav><a href="/">Home</a></nav></body></html>';
    expect(await extract(html, 'html')).toMatchObject({ ok: false, code: 'NoExtractableText' });
  });
});

describe('Markdown extraction', () => {
  it('drops front matter, keeps # headings with their level, list items, code and table rows', async () => {
    const result = await extract(SAMPLE_MARKDOWN, 'md');
    expect(result).toMatchObject({ ok: true, title: 'Companion setup guide' });
    expect(blocksOf(result)).toEqual([
      { kind: 'heading', level: 1, text: 'Getting started' },
      { kind: 'paragraph', text: 'Create an API key in the portal first.' },
      { kind: 'heading', level: 2, text: 'Installing' },
      { kind: 'paragraph', text: 'Run the installer.' },
      { kind: 'paragraph', text: 'Sign in with your key.' },
      { kind: 'paragraph', text: 'Keys start with ck_.' },
      { kind: 'paragraph', text: 'npm install companion-sdk' },
      { kind: 'heading', level: 2, text: 'Limits' },
      { kind: 'paragraph', text: 'Plan | Agents' },
      { kind: 'paragraph', text: 'Basic | 5' },
      { kind: 'paragraph', text: 'Pro | 50' },
      { kind: 'paragraph', text: 'Quotes are kept as text.' },
    ]);
  });

  it('decodes entities and reads HTML blocks like a page', async () => {
    const blocks = blocksOf(await extract('Fish &amp; chips\n\n<div><h2>Inline page</h2><p>Kept</p></div>\n', 'md'));
    expect(blocks).toEqual([
      { kind: 'paragraph', text: 'Fish & chips' },
      { kind: 'heading', level: 2, text: 'Inline page' },
      { kind: 'paragraph', text: 'Kept' },
    ]);
  });

  it('keeps a document of headings alone searchable', async () => {
    expect(blocksOf(await extract('# Only a title\n', 'md'))).toEqual([{ kind: 'paragraph', text: 'Only a title' }]);
  });
});

describe('plain text extraction', () => {
  it('splits paragraphs on blank lines and keeps single line breaks', async () => {
    expect(blocksOf(await extract(SAMPLE_TEXT, 'txt'))).toEqual([
      { kind: 'paragraph', text: 'Opening hours' },
      { kind: 'paragraph', text: 'Our office is open Monday to Friday,\nfrom nine to five.' },
      { kind: 'paragraph', text: 'Closed on public holidays.' },
    ]);
  });

  it('strips control and zero-width characters and collapses spaces', async () => {
    expect(blocksOf(await extract('Bell\u0007 and\u001b escape,\u200b zero\u00adwidth   and\ttabs.\r\n', 'txt'))).toEqual([
      { kind: 'paragraph', text: 'Bell and escape, zerowidth and tabs.' },
    ]);
  });

  it('when the bytes are not UTF-8, fails with CorruptDocument; when there is only whitespace, with NoExtractableText', async () => {
    expect(await extractor.extract(Buffer.from('caf\xe9 cr\xe8me', 'latin1'), 'txt')).toMatchObject({ ok: false, code: 'CorruptDocument' });
    expect(await extract('  \n\n\t \n', 'txt')).toMatchObject({ ok: false, code: 'NoExtractableText' });
  });

  it('when a text file is over 10 MB, fails with FileTooLarge', async () => {
    const { bytes } = await overLimitFile('txt');
    expect(await extractor.extract(bytes, 'txt')).toMatchObject({ ok: false, code: 'FileTooLarge' });
  });
});

describe('CSV extraction', () => {
  it('makes each row a paragraph of header: value pairs, leaving out empty cells', async () => {
    expect(blocksOf(await extract(SAMPLE_CSV, 'csv'))).toEqual([
      { kind: 'paragraph', text: 'name: Alice Martin; role: Support lead; email: alice@example.com' },
      { kind: 'paragraph', text: 'name: Bob; Jr.; role: Engineer; email: bob@example.com' },
      { kind: 'paragraph', text: 'name: Carol Diaz; email: carol@example.com' },
    ]);
  });

  it('accepts ragged rows and names headerless columns', async () => {
    expect(blocksOf(await extract('sku,name\nA1,Lamp,extra note\nB2\n', 'csv'))).toEqual([
      { kind: 'paragraph', text: 'sku: A1; name: Lamp; column 3: extra note' },
      { kind: 'paragraph', text: 'sku: B2' },
    ]);
  });

  it('when a quoted field is never closed, fails with CorruptDocument', async () => {
    const result = await extract('name,age,city\nAlice,30,"Paris\nBob,40,Berlin\nCarol,50,Rome\n', 'csv');
    expect(result).toMatchObject({ ok: false, code: 'CorruptDocument' });
  });

  it('when there is a header but no rows, fails with NoExtractableText', async () => {
    expect(await extract('name,email\n', 'csv')).toMatchObject({ ok: false, code: 'NoExtractableText' });
  });
});

describe('JSON extraction', () => {
  it('flattens values to path: value lines, with top-level keys as headings and a paragraph per child', async () => {
    const result = await extract(SAMPLE_JSON, 'json');
    expect(result).toMatchObject({ ok: true, title: undefined });
    expect(blocksOf(result)).toEqual([
      { kind: 'paragraph', text: 'product: Companion\nversion: 3' },
      { kind: 'heading', level: 1, text: 'plans' },
      { kind: 'paragraph', text: 'plans[0].name: Basic\nplans[0].price: 10' },
      { kind: 'paragraph', text: 'plans[1].name: Pro\nplans[1].price: 30\nplans[1].features[0]: avatars\nplans[1].features[1]: voice' },
      { kind: 'heading', level: 1, text: 'support' },
      { kind: 'paragraph', text: 'support.email: help@example.com' },
      { kind: 'paragraph', text: 'support.hours.weekdays: 9-17' },
    ]);
  });

  it('reads a top-level array as one paragraph per element', async () => {
    const faq = JSON.stringify([{ q: 'Hours?', a: 'Nine to five.' }, { q: 'Parking?', a: 'Free.' }]);
    expect(blocksOf(await extract(faq, 'json'))).toEqual([
      { kind: 'paragraph', text: '[0].q: Hours?\n[0].a: Nine to five.' },
      { kind: 'paragraph', text: '[1].q: Parking?\n[1].a: Free.' },
    ]);
  });

  it('when the JSON does not parse, fails with CorruptDocument; when it holds no values, with NoExtractableText', async () => {
    expect(await extract('{"plans": [1, 2', 'json')).toMatchObject({ ok: false, code: 'CorruptDocument' });
    expect(await extract('{"a": null, "b": [], "c": {}}', 'json')).toMatchObject({ ok: false, code: 'NoExtractableText' });
  });
});

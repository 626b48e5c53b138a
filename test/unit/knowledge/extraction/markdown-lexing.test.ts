import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lexer } from 'marked';
import { describe, expect, it } from 'vitest';
import { lexMarkdown } from '../../../../shared/adapters/knowledge/extraction/markdown-blocks.js';
import { SAMPLE_MARKDOWN } from '../../../support/document-fixtures.js';

const docsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/knowledge-qa/docs');

/** Every inline construct next to plain prose, and the characters that only look like syntax. */
const SYNTAX = [
  '# Heading with *emphasis* and `code`',
  '',
  'Plain prose, with commas; colons: and "quotes" or \'apostrophes\' (parentheses) and 50% off.',
  'A second line of the same paragraph.',
  '',
  'Links [here](https://example.com/a_b), ![an image](pic.png), [ref][1] and <https://auto.example>.',
  'Bare www.example.com, https://example.com/x and mail support@example.com or mailto:a@b.co.',
  'Escapes \\* and \\_, entities &amp; &copy; &#39; &#x27;, tags <b>bold</b>, ~~struck~~ and __strong__.',
  'Hard break with two spaces  ',
  'and with a backslash\\',
  'then the end.',
  '',
  '- item one',
  '- item **two**',
  '  - nested plain item',
  '',
  '> quoted plain text',
  '> and *quoted* text',
  '',
  '| Plan | Price |',
  '|---|---|',
  '| Basic | 5 |',
  '| *Pro* | [9](x) |',
  '',
  '```js',
  'const a = b * c;',
  '```',
  '',
  'Text\r\nwith CRLF\rand CR line ends.',
  '',
  '[1]: https://example.com/ref',
].join('\n');

describe('markdown lexing', () => {
  const sources: [string, string][] = [
    ['constructs and look-alikes', SYNTAX],
    ['the sample guide', SAMPLE_MARKDOWN],
    ...readdirSync(docsDir)
      .filter((name) => name.endsWith('.md'))
      .map((name): [string, string] => [name, readFileSync(path.join(docsDir, name), 'utf8')]),
  ];

  it.each(sources)('gives exactly the tokens of marked’s own lexer for %s', (_name, source) => {
    expect(lexMarkdown(new Lexer({ gfm: true }), source)).toEqual(Lexer.lex(source, { gfm: true }));
  });
});

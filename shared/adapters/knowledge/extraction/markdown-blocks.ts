import type { Token, Tokens } from 'marked';
import type { DocumentBlock } from '../../../domain/knowledge/chunking.js';
import type { ExtractedDocument } from './extraction-outcome.js';
import { loadEntities, loadMarked } from './document-libraries.js';
import { htmlToBlocks } from './html-blocks.js';

/**
 * Markdown to blocks with marked's lexer (CommonMark + GFM): `#` headings keep their level, paragraphs and list items
 * become paragraphs, code blocks keep their text, tables become rows of ` | `-joined cells, and HTML blocks are read
 * like an HTML page. YAML (`---`) or TOML (`+++`) front matter is metadata, not content: it is dropped, but its
 * `title` names the document.
 */

const FRONT_MATTER = /^\ufeff?(---|\+\+\+)[ \t]*\r?\n([\s\S]*?)\r?\n(?:\1|\.\.\.)[ \t]*(?:\r?\n|$)/;

function splitFrontMatter(text: string): { body: string; title: string | undefined } {
  const match = FRONT_MATTER.exec(text);
  if (!match) return { body: text, title: undefined };
  const title = /^title\s*[:=]\s*["']?(.*?)["']?\s*$/m.exec(match[2] ?? '')?.[1];
  return { body: text.slice(match[0].length), title: title || undefined };
}

type Decode = (text: string) => string;

function inlineText(tokens: readonly Token[] | undefined, decode: Decode): string {
  let text = '';
  for (const token of tokens ?? []) {
    switch (token.type) {
      case 'text':
        text += token.tokens ? inlineText(token.tokens, decode) : decode((token as Tokens.Text).text);
        break;
      case 'escape':
      case 'codespan':
        text += (token as Tokens.Escape | Tokens.Codespan).text;
        break;
      case 'image':
        text += (token as Tokens.Image).text;
        break;
      case 'br':
        text += '\n';
        break;
      case 'html':
      case 'checkbox':
        break;
      default:
        text += 'tokens' in token && token.tokens ? inlineText(token.tokens, decode) : decode(token.raw);
    }
  }
  return text;
}

async function collect(tokens: readonly Token[], blocks: DocumentBlock[], decode: Decode): Promise<void> {
  for (const token of tokens) {
    switch (token.type) {
      case 'heading': {
        const heading = token as Tokens.Heading;
        blocks.push({ kind: 'heading', level: heading.depth, text: inlineText(heading.tokens, decode) });
        break;
      }
      case 'paragraph':
      case 'text':
        blocks.push({ kind: 'paragraph', text: token.tokens ? inlineText(token.tokens, decode) : decode((token as Tokens.Text).text) });
        break;
      case 'code':
        blocks.push({ kind: 'paragraph', text: (token as Tokens.Code).text });
        break;
      case 'blockquote':
        await collect((token as Tokens.Blockquote).tokens, blocks, decode);
        break;
      case 'list':
        for (const item of (token as Tokens.List).items) await collect(item.tokens, blocks, decode);
        break;
      case 'table': {
        const table = token as Tokens.Table;
        for (const row of [table.header, ...table.rows]) {
          const cells = row.map((cell) => inlineText(cell.tokens, decode).trim()).filter((cell) => cell.length > 0);
          if (cells.length > 0) blocks.push({ kind: 'paragraph', text: cells.join(' | ') });
        }
        break;
      }
      case 'html':
        for (const block of (await htmlToBlocks((token as Tokens.HTML).text)).blocks) blocks.push(block);
        break;
      default:
        // space, hr, def: layout and link definitions, no content.
        break;
    }
  }
}

export async function markdownToBlocks(text: string): Promise<ExtractedDocument> {
  const [{ Lexer }, { decodeHTML }] = await Promise.all([loadMarked(), loadEntities()]);
  const { body, title } = splitFrontMatter(text);
  const blocks: DocumentBlock[] = [];
  await collect(Lexer.lex(body, { gfm: true }), blocks, decodeHTML);
  return { blocks, title };
}

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

/**
 * Inline source that marked's inline lexer can only return as one text token equal to itself: nothing that starts
 * an escape, a tag or autolink, a link or image, emphasis, code, a strikethrough, an entity, an extended autolink (a
 * protocol, `www.`, an e-mail address) or a hard line break. Most prose runs are like that.
 */
const INLINE_SYNTAX = /[\\<>![\]`*_~&@]|:\/\/|www\.| {2}\n/i;

type MarkedLexer = InstanceType<Awaited<ReturnType<typeof loadMarked>>['Lexer']>;

/**
 * `Lexer.lex`, except that inline runs without any inline syntax become their text token directly instead of going
 * through the inline lexer, whose scan for emphasis, links and autolinks is most of marked's time on prose; every
 * other run is lexed by marked as usual. The tokens are the same either way (the unit tests compare both).
 */
export function lexMarkdown(lexer: MarkedLexer, source: string): Token[] {
  const tokens = lexer.blockTokens(source.replace(/\r\n|\r/g, '\n'), lexer.tokens);
  for (const run of lexer.inlineQueue) {
    if (INLINE_SYNTAX.test(run.src)) {
      lexer.state.inRawBlock = false;
      lexer.inlineTokens(run.src, run.tokens);
    } else if (run.src !== '') {
      run.tokens.push({ type: 'text', raw: run.src, text: run.src, escaped: false });
    }
  }
  lexer.inlineQueue = [];
  return tokens;
}

export async function markdownToBlocks(text: string): Promise<ExtractedDocument> {
  const [{ Lexer }, { decodeHTML }] = await Promise.all([loadMarked(), loadEntities()]);
  const { body, title } = splitFrontMatter(text);
  const blocks: DocumentBlock[] = [];
  await collect(lexMarkdown(new Lexer({ gfm: true }), body), blocks, decodeHTML);
  return { blocks, title };
}

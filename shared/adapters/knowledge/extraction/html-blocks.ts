import type { DocumentBlock } from '../../../domain/knowledge/chunking.js';
import type { ExtractedDocument } from './extraction-outcome.js';
import { loadHtmlParser } from './document-libraries.js';

/**
 * HTML to blocks with htmlparser2's streaming parser: markup removed, h1–h6 kept as headings, paragraphs, list items
 * and table rows (cells joined by ` | `) as paragraphs. Scripts, styles, navigation and hidden elements are dropped,
 * since their text is not what the page says. Also reads the HTML that mammoth makes from Word documents.
 */

const DROPPED = new Set([
  'script', 'style', 'noscript', 'template', 'nav', 'svg', 'math', 'canvas', 'iframe', 'object', 'embed',
  'select', 'button', 'textarea', 'input', 'audio', 'video', 'map',
]);

const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'center', 'dd', 'details', 'dialog', 'div', 'dl',
  'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'header', 'hgroup', 'hr', 'html', 'legend', 'li',
  'main', 'menu', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'tfoot', 'thead', 'ul',
]);

function isHidden(attributes: Readonly<Record<string, string>>): boolean {
  return (
    'hidden' in attributes ||
    attributes['aria-hidden'] === 'true' ||
    /display\s*:\s*none|visibility\s*:\s*hidden/i.test(attributes['style'] ?? '')
  );
}

function headingLevel(name: string): number | undefined {
  const match = /^h([1-6])$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

interface Row {
  readonly cells: string[];
  cell: string | undefined;
}

class HtmlBlockCollector {
  readonly blocks: DocumentBlock[] = [];
  title: string | undefined;
  private readonly open: boolean[] = [];
  private dropping = 0;
  private preformatted = 0;
  private inTitle = false;
  private titleText = '';
  private text = '';
  private heading: number | undefined;
  private readonly rows: Row[] = [];

  private cell(): Row | undefined {
    const row = this.rows.at(-1);
    return row?.cell === undefined ? undefined : row;
  }

  private append(text: string): void {
    const row = this.cell();
    if (row) row.cell += text;
    else this.text += text;
  }

  private flush(): void {
    const text = this.text.trim();
    this.text = '';
    if (!text) return;
    if (this.heading !== undefined) this.blocks.push({ kind: 'heading', level: this.heading, text });
    else this.blocks.push({ kind: 'paragraph', text });
  }

  private boundary(): void {
    if (this.cell()) this.append(' ');
    else this.flush();
  }

  onopentag(name: string, attributes: Record<string, string>): void {
    const drop = this.dropping > 0 || DROPPED.has(name) || isHidden(attributes);
    this.open.push(drop);
    if (drop) {
      this.dropping++;
      return;
    }
    const level = headingLevel(name);
    if (name === 'title') this.inTitle = true;
    else if (name === 'pre') this.preformatted++;
    if (name === 'br') this.append(this.cell() ? ' ' : '\n');
    else if (name === 'tr') {
      this.boundary();
      this.rows.push({ cells: [], cell: undefined });
    } else if ((name === 'td' || name === 'th') && this.rows.length > 0) {
      const row = this.rows.at(-1)!;
      row.cell = '';
    } else if (level !== undefined && !this.cell()) {
      this.flush();
      this.heading = level;
    } else if (BLOCKS.has(name)) this.boundary();
  }

  onclosetag(name: string): void {
    if (this.open.pop() === true) {
      this.dropping--;
      return;
    }
    const level = headingLevel(name);
    if (name === 'title') {
      this.inTitle = false;
      this.title ??= this.titleText.replace(/\s+/g, ' ').trim() || undefined;
    } else if (name === 'pre') this.preformatted--;
    if (name === 'tr') this.closeRow();
    else if ((name === 'td' || name === 'th') && this.cell()) {
      const row = this.cell()!;
      row.cells.push((row.cell ?? '').replace(/\s+/g, ' ').trim());
      row.cell = undefined;
    } else if (level !== undefined && this.heading !== undefined && !this.cell()) {
      this.flush();
      this.heading = undefined;
    } else if (BLOCKS.has(name)) this.boundary();
  }

  private closeRow(): void {
    const row = this.rows.pop();
    if (!row) return;
    if (row.cell !== undefined) row.cells.push(row.cell.replace(/\s+/g, ' ').trim());
    const line = row.cells.filter((c) => c.length > 0).join(' | ');
    if (!line) return;
    // A table inside a cell becomes part of that cell's text.
    if (this.cell()) this.append(` ${line} `);
    else this.blocks.push({ kind: 'paragraph', text: line });
  }

  ontext(data: string): void {
    if (this.dropping > 0) return;
    if (this.inTitle) {
      this.titleText += data;
      return;
    }
    this.append(this.preformatted > 0 ? data : data.replace(/\s+/g, ' '));
  }

  onend(): void {
    while (this.rows.length > 0) this.closeRow();
    this.flush();
  }
}

export async function htmlToBlocks(html: string): Promise<ExtractedDocument> {
  const { Parser } = await loadHtmlParser();
  const collector = new HtmlBlockCollector();
  const parser = new Parser(
    {
      onopentag: (name, attributes) => collector.onopentag(name, attributes),
      onclosetag: (name) => collector.onclosetag(name),
      ontext: (data) => collector.ontext(data),
      onend: () => collector.onend(),
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return { blocks: collector.blocks, title: collector.title };
}

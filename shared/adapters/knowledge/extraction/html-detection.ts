/**
 * Whether text is an HTML page. A doctype or an `html`, `head` or `body` element at the start makes it certain; a
 * fragment that opens with a common element and closes some tag is probably HTML, unless its name says Markdown
 * (Markdown files often start with an HTML `<p align="center">` banner).
 */

const PROLOG = /^(?:\ufeff|\s|<\?xml[^>]*\?>|<!--[\s\S]*?-->)+/;
const DOCUMENT_START = /^<(?:!doctype\s+html|html|head|body)[\s>/]/i;
const FRAGMENT_START =
  /^<(?:div|p|h[1-6]|table|ul|ol|dl|section|article|main|header|footer|nav|aside|span|a|img|form|style|script|link|meta|title|br|center|font|b|i|strong|em|blockquote|pre)[\s>/]/i;
const CLOSING_TAG = /<\/[a-z][a-z0-9]*\s*>/i;

export type HtmlLikelihood = 'certainly' | 'probably' | 'no';

export function looksLikeHtml(text: string): HtmlLikelihood {
  const head = text.slice(0, 64 * 1024).replace(PROLOG, '');
  if (DOCUMENT_START.test(head)) return 'certainly';
  if (FRAGMENT_START.test(head) && CLOSING_TAG.test(head)) return 'probably';
  return 'no';
}

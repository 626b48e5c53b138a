import { describe, expect, it } from 'vitest';
import { createDocumentExtractor } from '../../../../shared/adapters/knowledge/extraction/document-extractor.js';
import {
  SAMPLE_CSV,
  SAMPLE_HTML,
  SAMPLE_JSON,
  SAMPLE_MARKDOWN,
  SAMPLE_TEXT,
  makeDocx,
  makeEncryptedDocx,
  makeEncryptedPdf,
  makePdf,
  renamedBinaries,
  textFile,
  truncated,
} from '../../../support/document-fixtures.js';
import { makeImage } from '../../../support/media-fixtures.js';

const extractor = createDocumentExtractor();
const sniff = (bytes: Uint8Array, name: string) => extractor.sniff(bytes, name);
const sniffText = (text: string, name: string) => sniff(textFile(text), name);

describe('sniffing judges documents and images by their bytes', () => {
  it('recognises pdf, docx, png and jpeg whatever they are called', async () => {
    const pdf = await makePdf({ pages: [{ paragraphs: ['Hello'] }] });
    expect(await sniff(pdf, 'upload')).toEqual({ ok: true, type: 'pdf' });
    expect(await sniff(await makeDocx(), 'handbook.bin')).toEqual({ ok: true, type: 'docx' });
    expect(await sniff(await makeImage({ width: 32, height: 32, format: 'png' }), 'scan.txt')).toEqual({ ok: true, type: 'png' });
    expect(await sniff(await makeImage({ width: 32, height: 32, format: 'jpeg' }), 'photo.png')).toEqual({ ok: true, type: 'jpeg' });
  });

  it('when PNG bytes are named .pdf, the file is a png', async () => {
    const { pngAsPdf } = await renamedBinaries();
    expect(await sniff(pngAsPdf.bytes, pngAsPdf.fileName)).toEqual({ ok: true, type: 'png' });
  });

  it('refuses renamed executables, plain zips, audio, legacy .doc and random bytes with UnsupportedMediaType', async () => {
    const { unsupported } = await renamedBinaries();
    for (const file of unsupported) {
      const result = await sniff(file.bytes, file.fileName);
      expect(result, file.fileName).toMatchObject({ ok: false, code: 'UnsupportedMediaType' });
    }
    const details = await Promise.all(unsupported.map(async (f) => ((await sniff(f.bytes, f.fileName)) as { detail: string }).detail));
    expect(details[0]).toContain('.exe');
    expect(details[2]).toContain('holds no Word document');
    expect(details[4]).toContain('Word 97–2003');
    expect(details.every((d) => d.includes('a knowledge base accepts PDF, Word (.docx)'))).toBe(true);
  });

  it('keeps encrypted and truncated Word documents as docx, so extraction can say what is wrong with them', async () => {
    expect(await sniff(await makeEncryptedDocx(), 'secret.docx')).toEqual({ ok: true, type: 'docx' });
    expect(await sniff(truncated(await makeDocx()), 'cut.docx')).toEqual({ ok: true, type: 'docx' });
    expect(await sniff(makeEncryptedPdf({ lines: ['x'], userPassword: 'pw' }), 'secret.pdf')).toEqual({ ok: true, type: 'pdf' });
  });
});

describe('sniffing judges text by its content, then by its name', () => {
  it('reads HTML by its markup even when named .txt, and an XHTML page despite its XML prolog', async () => {
    expect(await sniffText(SAMPLE_HTML, 'page.txt')).toEqual({ ok: true, type: 'html' });
    expect(await sniffText('<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Hi</p></body></html>', 'page.xhtml')).toEqual({
      ok: true,
      type: 'html',
    });
    expect(await sniffText('<div><p>A fragment</p></div>', 'fragment')).toEqual({ ok: true, type: 'html' });
  });

  it('keeps Markdown that opens with an HTML banner as Markdown', async () => {
    expect(await sniffText('<p align="center"><img src="logo.png"></p>\n\n# Project\n\nText.', 'README.md')).toEqual({ ok: true, type: 'md' });
  });

  it('reads JSON that parses as json whatever its name, and a .json that does not parse as json (to fail as corrupt)', async () => {
    expect(await sniffText(SAMPLE_JSON, 'export.txt')).toEqual({ ok: true, type: 'json' });
    expect(await sniffText('{"broken": ', 'broken.json')).toEqual({ ok: true, type: 'json' });
    expect(await sniffText('42', 'answer.txt')).toEqual({ ok: true, type: 'txt' });
  });

  it('uses the name for Markdown, CSV (when rows share a delimiter) and plain text', async () => {
    expect(await sniffText(SAMPLE_MARKDOWN, 'guide.md')).toEqual({ ok: true, type: 'md' });
    expect(await sniffText(SAMPLE_MARKDOWN, 'guide.markdown')).toEqual({ ok: true, type: 'md' });
    expect(await sniffText(SAMPLE_CSV, 'people.csv')).toEqual({ ok: true, type: 'csv' });
    expect(await sniffText('a\tb\n1\t2\n3\t4\n', 'table.tsv')).toEqual({ ok: true, type: 'csv' });
    expect(await sniffText('This is prose, with commas.\nIt is not, in any way, a table of rows.\nReally.', 'notes.csv')).toEqual({
      ok: true,
      type: 'txt',
    });
    expect(await sniffText(SAMPLE_TEXT, 'hours.txt')).toEqual({ ok: true, type: 'txt' });
    expect(await sniffText(SAMPLE_TEXT, 'hours.log')).toEqual({ ok: true, type: 'txt' });
    expect(await sniff(new Uint8Array(0), 'empty.txt')).toEqual({ ok: true, type: 'txt' });
  });

  it('reads a sentence that starts like a binary signature as text, and UTF-16 text saved with its BOM', async () => {
    expect(await sniffText('MZ Logistics opens at nine.', 'note.txt')).toEqual({ ok: true, type: 'txt' });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Unicode notes from Notepad.', 'utf16le')]);
    expect(await sniff(utf16, 'notes.txt')).toEqual({ ok: true, type: 'txt' });
  });

  it('refuses rich text and PostScript, which are text underneath but not prose', async () => {
    expect(await sniffText('{\\rtf1\\ansi Hello}', 'letter.txt')).toMatchObject({ ok: false, code: 'UnsupportedMediaType' });
    expect(await sniffText('%!PS-Adobe-3.0\n%%Pages: 1\n', 'print.txt')).toMatchObject({ ok: false, code: 'UnsupportedMediaType' });
  });
});

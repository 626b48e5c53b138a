import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import CFB from 'cfb';
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun } from 'docx';
import officeCrypto from 'officecrypto-tool';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { KNOWLEDGE_SIZE_LIMITS, type KnowledgeFileType } from '../../shared/domain/knowledge/file-types.js';
import { makeImage, makeWav } from './media-fixtures.js';

/**
 * Real documents made in the test, so that sniffing and extraction run against files the libraries parse for real:
 * PDFs written by pdf-lib, Word documents by docx (and encrypted by officecrypto-tool the way Word does it), a PDF
 * encrypted by hand with the standard security handler (pdf-lib cannot encrypt), zips and OLE containers.
 */

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

// ---------------------------------------------------------------------------------------------------------- PDF

export interface PdfPage {
  /** Set at 20 pt, larger than the 11 pt body, so layout analysis reads it as a heading. */
  readonly heading?: string;
  readonly paragraphs: readonly string[];
}

export interface PdfOptions {
  readonly pages: readonly PdfPage[];
  readonly title?: string;
  /** Adds an embedded file of random bytes so the PDF is at least this large (an over-limit upload). */
  readonly atLeastBytes?: number;
}

const LINE_CHARS = 90;

function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > LINE_CHARS) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** A PDF with real text on every page: 11 pt lines 14 pt apart, paragraphs 26 pt apart, headings at 20 pt. */
export async function makePdf({ pages, title, atLeastBytes }: PdfOptions): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  if (title) doc.setTitle(title);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  for (const spec of pages) {
    const page = doc.addPage([595, 842]);
    let y = 780;
    if (spec.heading) {
      page.drawText(spec.heading, { x: 56, y, size: 20, font: bold });
      y -= 36;
    }
    for (const paragraph of spec.paragraphs) {
      for (const line of wrap(paragraph)) {
        page.drawText(line, { x: 56, y, size: 11, font });
        y -= 14;
      }
      y -= 12;
    }
  }
  if (atLeastBytes !== undefined) {
    const base = await doc.save();
    const padding = Math.max(0, atLeastBytes - base.byteLength + 1024);
    if (padding > 0) await doc.attach(randomBytes(padding), 'padding.bin', { mimeType: 'application/octet-stream' });
  }
  return doc.save();
}

/** A PDF whose pages carry only a picture, as a scanner makes them: nothing to extract without OCR. */
export async function makeScannedPdf(pageCount = 2): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const scan = await doc.embedPng(await makeImage({ width: 320, height: 452, format: 'png' }));
  for (let i = 0; i < pageCount; i++) doc.addPage([595, 842]).drawImage(scan, { x: 0, y: 0, width: 595, height: 842 });
  return doc.save();
}

/** The first part of a file, as an interrupted upload leaves it. */
export function truncated(bytes: Uint8Array, fraction = 0.4): Uint8Array {
  return bytes.slice(0, Math.floor(bytes.byteLength * fraction));
}

const PASSWORD_PADDING = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex');

const md5 = (...parts: readonly Uint8Array[]): Buffer => {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 255;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = Buffer.alloc(data.length);
  for (let k = 0, i = 0, j = 0; k < data.length; k++) {
    i = (i + 1) & 255;
    j = (j + s[i]!) & 255;
    [s[i], s[j]] = [s[j]!, s[i]!];
    out[k] = data[k]! ^ s[(s[i]! + s[j]!) & 255]!;
  }
  return out;
}

/** RC4 applied 20 times with the key XOR-ed with 0..19 (algorithms 3 and 5 of the standard security handler, R3). */
function rc4Twenty(key: Uint8Array, data: Uint8Array): Buffer {
  let out = rc4(key, data);
  for (let i = 1; i <= 19; i++) out = rc4(key.map((b) => b ^ i), out);
  return out;
}

function padded(password: string): Buffer {
  const bytes = Buffer.from(password, 'latin1').subarray(0, 32);
  return Buffer.concat([bytes, PASSWORD_PADDING.subarray(0, 32 - bytes.length)]);
}

function rehash50(seed: Buffer): Buffer {
  let hash = seed;
  for (let i = 0; i < 50; i++) hash = md5(hash.subarray(0, 16));
  return hash.subarray(0, 16);
}

export interface EncryptedPdfOptions {
  readonly lines: readonly string[];
  /** Empty means anyone can open it and only the owner's permissions are protected. */
  readonly userPassword: string;
  readonly ownerPassword?: string;
}

/**
 * A one-page PDF encrypted with the standard security handler, revision 3 (RC4, 128-bit: what Acrobat 5 writes),
 * built by hand because pdf-lib cannot encrypt. With a user password PDF.js refuses to open it without that password.
 */
export function makeEncryptedPdf({ lines, userPassword, ownerPassword = 'owner-secret' }: EncryptedPdfOptions): Uint8Array {
  const id = randomBytes(16);
  const permissions = Buffer.alloc(4);
  permissions.writeInt32LE(-3904); // printing and copying denied; the rest allowed
  const owner = rc4Twenty(rehash50(md5(padded(ownerPassword))), padded(userPassword));
  const key = rehash50(md5(padded(userPassword), owner, permissions, id));
  const user = Buffer.concat([rc4Twenty(key, md5(PASSWORD_PADDING, id)), Buffer.alloc(16)]);
  const objectKey = (num: number): Buffer => md5(key, Buffer.from([num & 255, (num >> 8) & 255, (num >> 16) & 255, 0, 0])).subarray(0, 16);

  const escape = (text: string): string => text.replace(/[\\()]/g, (c) => `\\${c}`);
  const content = Buffer.from(`BT /F1 12 Tf 72 720 Td 16 TL ${lines.map((l) => `(${escape(l)}) '`).join(' ')} ET`, 'latin1');
  const stream = rc4(objectKey(5), content);
  const hex = (b: Buffer): string => b.toString('hex');
  const objects: (string | Buffer)[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    Buffer.concat([Buffer.from(`<< /Length ${stream.length} >>\nstream\n`, 'latin1'), stream, Buffer.from('\nendstream', 'latin1')]),
    `<< /Filter /Standard /V 2 /R 3 /Length 128 /O <${hex(owner)}> /U <${hex(user)}> /P ${permissions.readInt32LE(0)} >>`,
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let length = parts[0]!.length;
  objects.forEach((body, i) => {
    const object = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'), Buffer.from('\nendobj\n', 'latin1')]);
    offsets.push(length);
    parts.push(object);
    length += object.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  const trailer = `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Encrypt 6 0 R /ID [<${hex(id)}> <${hex(id)}>] >>\nstartxref\n${length}\n%%EOF\n`;
  parts.push(Buffer.from(xref + trailer, 'latin1'));
  return new Uint8Array(Buffer.concat(parts));
}

// --------------------------------------------------------------------------------------------------------- DOCX

/** A Word document with a title, headings on three levels, a list, a table and paragraphs. */
export async function makeDocx(): Promise<Uint8Array> {
  const doc = new Document({
    creator: 'tests',
    sections: [
      {
        children: [
          new Paragraph({ text: 'Employee Handbook', heading: HeadingLevel.TITLE }),
          new Paragraph({ text: 'Leave', heading: HeadingLevel.HEADING_1 }),
          new Paragraph({ children: [new TextRun('Employees accrue '), new TextRun({ text: '25 days', bold: true }), new TextRun(' of paid leave per year.')] }),
          new Paragraph({ text: 'Sick leave', heading: HeadingLevel.HEADING_2 }),
          new Paragraph('Sick leave needs a doctor’s note after three days.'),
          new Paragraph({ text: 'Tell your manager before 9 am.', bullet: { level: 0 } }),
          new Paragraph({ text: 'Expenses', heading: HeadingLevel.HEADING_1 }),
          new Table({
            rows: [
              ['Item', 'Limit'],
              ['Hotel', '150 EUR per night'],
              ['Meals', '40 EUR per day'],
            ].map((cells) => new TableRow({ children: cells.map((cell) => new TableCell({ children: [new Paragraph(cell)] })) })),
          }),
          new Paragraph({ text: 'Travel', heading: HeadingLevel.HEADING_2 }),
          new Paragraph({ text: 'Trains', heading: HeadingLevel.HEADING_3 }),
          new Paragraph({ text: 'First class is allowed for journeys over four hours.', alignment: AlignmentType.LEFT }),
        ],
      },
    ],
  });
  return new Uint8Array(await Packer.toBuffer(doc));
}

/** A Word document without any text. */
export async function makeEmptyDocx(): Promise<Uint8Array> {
  return new Uint8Array(await Packer.toBuffer(new Document({ sections: [{ children: [new Paragraph('')] }] })));
}

/** A .docx protected by a password, as Word saves it: ECMA-376 agile encryption inside an OLE container. */
export async function makeEncryptedDocx(password = 'secret'): Promise<Uint8Array> {
  return new Uint8Array(officeCrypto.encrypt(Buffer.from(await makeDocx()), { password }));
}

/** A Word 97–2003 .doc: an OLE container with a WordDocument stream. */
export function makeLegacyDoc(): Uint8Array {
  const container = CFB.utils.cfb_new();
  CFB.utils.cfb_add(container, 'WordDocument', Buffer.concat([Buffer.from([0xec, 0xa5, 0xc1, 0x00]), Buffer.alloc(4092)]));
  CFB.utils.cfb_add(container, '1Table', Buffer.alloc(4096));
  return new Uint8Array(CFB.write(container, { type: 'buffer' }) as Buffer);
}

/**
 * A zip (entries stored, not deflated) with the given files. `declaredSizes` overrides the uncompressed size the
 * headers declare, as a zip bomb's do.
 */
export function makeZip(entries: Readonly<Record<string, string | Uint8Array>>, declaredSizes: Readonly<Record<string, number>> = {}): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const data = Buffer.from(typeof content === 'string' ? utf8(content) : content);
    const fileName = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(declaredSizes[name] ?? data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(declaredSizes[name] ?? data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

const WORD_CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';

/** A Word package whose document part declares that it expands to 3 GB. */
export function makeZipBombDocx(): Uint8Array {
  return makeZip(
    { '[Content_Types].xml': WORD_CONTENT_TYPES, 'word/document.xml': '<w:document/>' },
    { 'word/document.xml': 3 * 1024 * 1024 * 1024 },
  );
}

/** A zip whose content types claim a Word document but which holds no document part. */
export function makeHollowWordZip(): Uint8Array {
  return makeZip({ '[Content_Types].xml': WORD_CONTENT_TYPES, 'docProps/app.xml': '<Properties/>' });
}

// ------------------------------------------------------------------------------------------------- text formats

export const SAMPLE_HTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Shipping help</title>
<style>body { font-family: sans-serif }</style><script>var tracking = "script text must not be indexed";</script></head>
<body>
<nav><a href="/">Home</a> <a href="/pricing">Pricing link in the menu</a></nav>
<main>
<h1>Shipping</h1>
<p>We ship to <b>40 countries</b> within &quot;5&nbsp;days&quot;.</p>
<h2>Returns</h2>
<ul><li>Returns are free within 30 days.</li><li>Items must be unused.</li></ul>
<h3>Refund timing</h3>
<p>Refunds reach your card in 3 to 5 business days.<br>Store credit is immediate.</p>
<table><tr><th>Zone</th><th>Price</th></tr><tr><td>EU</td><td>5 EUR</td></tr><tr><td>US</td><td>9 USD</td></tr></table>
<div hidden>Hidden promotion text</div>
</main>
<footer>Example Ltd, 1 Harbour Street</footer>
</body></html>
`;

export const SAMPLE_MARKDOWN = `---
title: Companion setup guide
tags: [setup]
---

# Getting started

Create an **API key** in the [portal](https://example.com) first.

## Installing

- Run the installer.
- Sign in with your key.
  - Keys start with \`ck_\`.

\`\`\`bash
npm install companion-sdk
\`\`\`

## Limits

| Plan | Agents |
|------|--------|
| Basic | 5 |
| Pro | 50 |

> Quotes are kept as text.
`;

export const SAMPLE_CSV = `name;role;email
Alice Martin;Support lead;alice@example.com
"Bob; Jr.";Engineer;bob@example.com
Carol Diaz;;carol@example.com
`;

export const SAMPLE_JSON = JSON.stringify(
  {
    product: 'Companion',
    version: 3,
    plans: [
      { name: 'Basic', price: 10 },
      { name: 'Pro', price: 30, features: ['avatars', 'voice'] },
    ],
    support: { email: 'help@example.com', hours: { weekdays: '9-17', weekend: null } },
  },
  null,
  2,
);

export const SAMPLE_TEXT = `Opening hours

Our office is open Monday to Friday,
from nine to five.

Closed on public holidays.
`;

export const textFile = utf8;

/** A PNG whose header declares the given size, with almost no pixel data behind it: a decompression bomb's shape. */
export function makePngHeaderOnly(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // truecolour
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), chunk('IEND', Buffer.alloc(0))]));
}

// -------------------------------------------------------------------------------------------- renamed binaries

/** A DOS/Windows executable header (MZ, the DOS stub, a PE signature). */
export function makeExecutable(): Uint8Array {
  const exe = Buffer.alloc(256);
  exe.write('MZ', 0, 'latin1');
  exe.writeUInt32LE(0x80, 0x3c);
  exe.write('This program cannot be run in DOS mode.', 0x4e, 'latin1');
  exe.write('PE\0\0', 0x80, 'latin1');
  return new Uint8Array(exe);
}

export interface NamedFile {
  readonly fileName: string;
  readonly bytes: Uint8Array;
}

/** Files whose names lie about what they are. */
export async function renamedBinaries(): Promise<{ readonly pngAsPdf: NamedFile; readonly unsupported: readonly NamedFile[] }> {
  return {
    pngAsPdf: { fileName: 'report.pdf', bytes: await makeImage({ width: 64, height: 64, format: 'png' }) },
    unsupported: [
      { fileName: 'notes.txt', bytes: makeExecutable() },
      { fileName: 'manual.docx', bytes: makeZip({ 'readme.txt': 'not a Word document' }) },
      { fileName: 'hollow.docx', bytes: makeHollowWordZip() },
      { fileName: 'song.md', bytes: makeWav({ seconds: 0.2 }) },
      { fileName: 'legacy.doc', bytes: makeLegacyDoc() },
      { fileName: 'data.csv', bytes: new Uint8Array(randomBytes(4096)) },
    ],
  };
}

// ------------------------------------------------------------------------------------------------- size limits

const EXTENSIONS: Readonly<Record<KnowledgeFileType, string>> = {
  pdf: 'pdf',
  docx: 'docx',
  txt: 'txt',
  md: 'md',
  html: 'html',
  csv: 'csv',
  json: 'json',
  png: 'png',
  jpeg: 'jpg',
};

function repeatTo(unit: string, bytes: number): Uint8Array {
  const out = Buffer.alloc(bytes, ' ');
  const source = Buffer.from(unit, 'utf8');
  for (let at = 0; at + source.length <= bytes; at += source.length) source.copy(out, at);
  return new Uint8Array(out);
}

/**
 * A real file of the given type one byte (or, for pdf and docx, a little more) over its size limit. Text formats are
 * repeated content; images carry padding after their end marker, which decoders ignore; pdf and docx carry an
 * incompressible attachment.
 */
export async function overLimitFile(type: KnowledgeFileType): Promise<NamedFile> {
  const size = KNOWLEDGE_SIZE_LIMITS[type] + 1;
  const fileName = `too-large.${EXTENSIONS[type]}`;
  switch (type) {
    case 'txt':
    case 'md':
      return { fileName, bytes: repeatTo('A line of text that repeats.\n\n', size) };
    case 'html':
      return { fileName, bytes: repeatTo('<p>A paragraph that repeats.</p>\n', size) };
    case 'csv':
      return { fileName, bytes: Buffer.concat([Buffer.from('name,value\n'), repeatTo('row,1\n', size - 11)]) };
    case 'json': {
      const body = repeatTo('1,', size - 4);
      return { fileName, bytes: Buffer.concat([Buffer.from('['), body, Buffer.from('1]\n')]) };
    }
    case 'png':
    case 'jpeg': {
      const image = await makeImage({ width: 64, height: 64, format: type });
      return { fileName, bytes: Buffer.concat([image, randomBytes(size - image.length)]) };
    }
    case 'pdf':
      return { fileName, bytes: await makePdf({ pages: [{ paragraphs: ['Padding test.'] }], atLeastBytes: size }) };
    case 'docx':
      return {
        fileName,
        bytes: makeZip({
          '[Content_Types].xml': WORD_CONTENT_TYPES,
          'word/document.xml': '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>',
          'word/media/padding.bin': randomBytes(size),
        }),
      };
  }
}

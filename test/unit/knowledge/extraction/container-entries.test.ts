import CFB from 'cfb';
import { describe, expect, it } from 'vitest';
import {
  compoundFileEntryNames,
  isEncryptedOfficePackage,
  isLegacyWordDocument,
} from '../../../../shared/adapters/knowledge/extraction/cfb-entries.js';
import { holdsWordDocument, localEntryNames, zipEntryNames } from '../../../../shared/adapters/knowledge/extraction/zip-entries.js';
import { makeDocx, makeEncryptedDocx, makeHollowWordZip, makeLegacyDoc, makeZip, truncated } from '../../../support/document-fixtures.js';

describe('zip directories', () => {
  it('lists the entries of a Word package written by the docx library', async () => {
    const names = zipEntryNames(await makeDocx());
    expect(names).toEqual(expect.arrayContaining(['[Content_Types].xml', 'word/document.xml', '_rels/.rels']));
    expect(holdsWordDocument(names ?? [])).toBe(true);
  });

  it('tells a Word package from a zip that only claims to be one', () => {
    expect(holdsWordDocument(zipEntryNames(makeHollowWordZip()) ?? [])).toBe(false);
    expect(holdsWordDocument(zipEntryNames(makeZip({ 'a.txt': 'x' })) ?? [])).toBe(false);
  });

  it('finds no directory in a truncated archive, but still the local headers that survive', async () => {
    const cut = truncated(await makeDocx(), 0.6);
    expect(zipEntryNames(cut)).toBeUndefined();
    expect(localEntryNames(cut)).toContain('word/document.xml');
  });

  it('reads an archive with bytes in front of it (a self-extractor)', () => {
    const zip = makeZip({ 'one.txt': '1', 'two.txt': '2' });
    expect(zipEntryNames(new Uint8Array(Buffer.concat([Buffer.alloc(300, 0x90), zip])))).toEqual(['one.txt', 'two.txt']);
  });
});

describe('OLE compound files', () => {
  it('finds the encryption streams of a password-protected .docx', async () => {
    const names = compoundFileEntryNames(await makeEncryptedDocx()) ?? [];
    expect(isEncryptedOfficePackage(names)).toBe(true);
    expect(isLegacyWordDocument(names)).toBe(false);
  });

  it('finds the WordDocument stream of a Word 97–2003 file', () => {
    const names = compoundFileEntryNames(makeLegacyDoc()) ?? [];
    expect(isLegacyWordDocument(names)).toBe(true);
    expect(isEncryptedOfficePackage(names)).toBe(false);
  });

  it('reads a container with more than 109 FAT sectors, whose FAT is listed in DIFAT sectors', () => {
    const container = CFB.utils.cfb_new();
    // 8 MiB in 512-byte sectors needs 16,384 FAT entries: 128 FAT sectors, more than the header's 109.
    CFB.utils.cfb_add(container, 'EncryptedPackage', Buffer.alloc(8 * 1024 * 1024, 7));
    CFB.utils.cfb_add(container, 'EncryptionInfo', Buffer.alloc(512, 1));
    const bytes = new Uint8Array(CFB.write(container, { type: 'buffer' }) as Buffer);
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(72, true)).toBeGreaterThan(0);
    expect(isEncryptedOfficePackage(compoundFileEntryNames(bytes) ?? [])).toBe(true);
  });

  it('answers undefined for a damaged container instead of throwing', () => {
    const bytes = makeLegacyDoc();
    expect(compoundFileEntryNames(bytes.slice(0, 1024))).toBeUndefined();
    const misdirected = bytes.slice();
    new DataView(misdirected.buffer).setUint32(48, 0x7fffffff, true); // the directory starts past the end
    expect(compoundFileEntryNames(misdirected)).toBeUndefined();
  });
});

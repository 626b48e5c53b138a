import mammoth from 'mammoth';
import officeCrypto from 'officecrypto-tool';
import { describe, expect, it } from 'vitest';
import { createDocumentExtractor } from '../../../../shared/adapters/knowledge/extraction/document-extractor.js';
import { makeDocx, makeEmptyDocx, makeEncryptedDocx, makeLegacyDoc, makeZipBombDocx, truncated } from '../../../support/document-fixtures.js';

const extractor = createDocumentExtractor();

describe('Word document extraction', () => {
  it('keeps heading levels, paragraphs, list items and table rows in reading order', async () => {
    const result = await extractor.extract(await makeDocx(), 'docx');
    expect(result).toEqual({
      ok: true,
      title: 'Employee Handbook',
      pageCount: undefined,
      blocks: [
        { kind: 'heading', level: 1, text: 'Employee Handbook' },
        { kind: 'heading', level: 1, text: 'Leave' },
        { kind: 'paragraph', text: 'Employees accrue 25 days of paid leave per year.' },
        { kind: 'heading', level: 2, text: 'Sick leave' },
        { kind: 'paragraph', text: 'Sick leave needs a doctor’s note after three days.' },
        { kind: 'paragraph', text: 'Tell your manager before 9 am.' },
        { kind: 'heading', level: 1, text: 'Expenses' },
        { kind: 'paragraph', text: 'Item | Limit' },
        { kind: 'paragraph', text: 'Hotel | 150 EUR per night' },
        { kind: 'paragraph', text: 'Meals | 40 EUR per day' },
        { kind: 'heading', level: 2, text: 'Travel' },
        { kind: 'heading', level: 3, text: 'Trains' },
        { kind: 'paragraph', text: 'First class is allowed for journeys over four hours.' },
      ],
    });
  });

  it('when the document is protected by a password, fails with EncryptedDocument', async () => {
    const result = await extractor.extract(await makeEncryptedDocx('s3cret'), 'docx');
    expect(result).toMatchObject({ ok: false, code: 'EncryptedDocument' });
    expect(result.ok ? '' : result.detail).toContain('password');
  });

  it('the encrypted fixture is a real encrypted package: with the password it decrypts to the readable document', async () => {
    const decrypted = await officeCrypto.decrypt(Buffer.from(await makeEncryptedDocx('s3cret')), { password: 's3cret' });
    expect((await mammoth.extractRawText({ buffer: decrypted })).value).toContain('Employees accrue 25 days');
  });

  it('when the package is truncated, or is a legacy OLE file handed over as docx, fails with CorruptDocument', async () => {
    expect(await extractor.extract(truncated(await makeDocx()), 'docx')).toMatchObject({ ok: false, code: 'CorruptDocument' });
    expect(await extractor.extract(makeLegacyDoc(), 'docx')).toMatchObject({ ok: false, code: 'CorruptDocument' });
  });

  it('when the package declares gigabytes of XML (a zip bomb), refuses it as CorruptDocument without inflating it', async () => {
    const result = await extractor.extract(makeZipBombDocx(), 'docx');
    expect(result).toMatchObject({ ok: false, code: 'CorruptDocument' });
    expect(result.ok ? '' : result.detail).toContain('expands');
  });

  it('when the document holds no text, fails with NoExtractableText', async () => {
    expect(await extractor.extract(await makeEmptyDocx(), 'docx')).toMatchObject({ ok: false, code: 'NoExtractableText' });
  });
});

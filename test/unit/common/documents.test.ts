import * as assert from 'node:assert/strict';
import {
  DocumentStore, MAX_DOCUMENT_CHARS, MAX_DOCUMENTS_TOTAL_CHARS, capDocument, promptDocument, resourceDocument,
} from '../../../src/common/catalogDocuments';

describe('Virtual document bounds (review L13)', () => {
  it('keeps a total size budget besides the count, dropping the oldest first', () => {
    const store = new DocumentStore();
    const big = { text: 'x'.repeat(MAX_DOCUMENT_CHARS), language: 'plaintext' };
    for (let i = 0; i < 10; i++) store.set(`d${i}`, big);
    assert.ok(store.totalChars <= MAX_DOCUMENTS_TOTAL_CHARS, `${store.totalChars} characters kept`);
    assert.equal(store.size, 6, '64 MiB holds six 10 MiB documents');
    assert.equal(store.get('d3'), undefined, 'the oldest went');
    assert.ok(store.get('d9') && store.get('d4'));
    store.delete('d9');
    assert.equal(store.totalChars, 5 * MAX_DOCUMENT_CHARS, 'a closed document frees its share');
  });

  it('still keeps at most maxDocuments, and caps each one on the way in', () => {
    const store = new DocumentStore({ maxDocuments: 3, maxTotalChars: 1_000, maxDocumentChars: 100 });
    for (let i = 0; i < 5; i++) store.set(`d${i}`, { text: `doc ${i}`, language: 'plaintext' });
    assert.equal(store.size, 3);
    assert.equal(store.get('d1'), undefined);
    store.set('huge', { text: 'y'.repeat(5_000), language: 'json' });
    assert.match(store.get('huge')!.text, /^y{100}\n… truncated \(4\.8 KB not shown\)\n$/);
    assert.equal(store.get('huge')!.language, 'json');
  });

  it('cuts an oversized resource or prompt document with a note of how much is not shown', () => {
    const over = 'z'.repeat(MAX_DOCUMENT_CHARS + 3 * 1024 * 1024);
    const doc = resourceDocument([{ uri: 'demo://big', mimeType: 'text/plain', text: over }], 'demo://big');
    assert.equal(doc.text.length < MAX_DOCUMENT_CHARS + 100, true);
    assert.match(doc.text.slice(-60), /… truncated \(3\.0 MB not shown\)\n$/);
    const prompt = promptDocument({ messages: [{ role: 'user', content: { type: 'text', text: over } }] }, { server: 's', prompt: 'p', args: {} });
    assert.match(prompt.text.slice(-60), /… truncated \(3\.\d MB not shown\)\n$/);
    const small = { text: 'fine', language: 'plaintext' };
    assert.equal(capDocument(small), small);
  });
});

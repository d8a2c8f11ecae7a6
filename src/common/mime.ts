/** Which VS Code language shows a resource's text, from its MIME type (and, failing that, its URI's extension). */

const BY_MIME: Readonly<Record<string, string>> = {
  'application/json': 'json',
  'application/ld+json': 'json',
  'application/schema+json': 'json',
  'text/json': 'json',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  // HTML is shown as source with HTML highlighting: an editor never renders it, so it stays inert.
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/xml': 'xml',
  'application/xml': 'xml',
  'image/svg+xml': 'xml',
  'application/yaml': 'yaml',
  'application/x-yaml': 'yaml',
  'text/yaml': 'yaml',
  'text/x-yaml': 'yaml',
  'text/javascript': 'javascript',
  'application/javascript': 'javascript',
  'application/x-javascript': 'javascript',
  'text/typescript': 'typescript',
  'application/typescript': 'typescript',
  'application/x-typescript': 'typescript',
  'text/x-python': 'python',
  'text/x-script.python': 'python',
  'application/x-python': 'python',
  'text/css': 'css',
  'text/csv': 'plaintext',
  'text/plain': 'plaintext',
  'application/toml': 'plaintext',
  'text/x-shellscript': 'shellscript',
  'application/x-sh': 'shellscript',
  'application/sql': 'sql',
};

const BY_EXTENSION: Readonly<Record<string, string>> = {
  json: 'json', md: 'markdown', markdown: 'markdown', html: 'html', htm: 'html', xml: 'xml', svg: 'xml',
  yaml: 'yaml', yml: 'yaml', js: 'javascript', mjs: 'javascript', cjs: 'javascript', ts: 'typescript',
  py: 'python', css: 'css', sh: 'shellscript', sql: 'sql', txt: 'plaintext',
};

export function languageForMime(mimeType: string | undefined, uri?: string): string {
  const mime = (mimeType ?? '').toLowerCase().split(';')[0].trim();
  // A missing or generic type says nothing: the URI's file extension may.
  if (!mime || mime === 'application/octet-stream' || mime === 'text/plain') {
    const ext = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(uri ?? '')?.[1]?.toLowerCase();
    if (ext && BY_EXTENSION[ext]) return BY_EXTENSION[ext];
  }
  const known = BY_MIME[mime];
  if (known) return known;
  if (mime.endsWith('+json')) return 'json';
  if (mime.endsWith('+xml')) return 'xml';
  if (mime.endsWith('+yaml')) return 'yaml';
  return 'plaintext';
}


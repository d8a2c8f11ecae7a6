/**
 * The pure half of Add Server...: reading what the user typed (a command line, a URL, a name, an environment variable
 * name) into a server entry, with clear messages for what cannot be used. The prompts live in src/commands/addServer.ts.
 */

/** Splits a command line the way a POSIX shell would for plain words: quotes group, backslash escapes (not on Windows). */
export function splitCommandLine(line: string, platform: NodeJS.Platform = process.platform): { command: string; args: string[] } | string {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && platform !== 'win32' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i];
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      word ??= '';
    } else if (ch === '\\' && platform !== 'win32' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (quote) return `The command has an unclosed ${quote} quote.`;
  if (word !== undefined) words.push(word);
  if (words.length === 0 || !words[0]) return 'Enter the command that starts the server, e.g. npx -y @modelcontextprotocol/server-everything';
  return { command: words[0], args: words.slice(1) };
}

/** An http(s) URL to connect to, or why not (never quoting the URL). Also checks configured and resolved URLs. */
export function checkServerUrl(text: string): string | undefined {
  let url: URL;
  try { url = new URL(text.trim()); } catch { return 'Enter a full URL, e.g. https://example.com/mcp'; }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'The URL must start with http:// or https://';
  if (url.username || url.password) return 'Do not put credentials in the URL (user:password@); send them in a header instead.';
  return undefined;
}

/** A server name the user can recognise: a package name without scope and version, a script's base name, a host. */
export function suggestServerName(entry: { command: string; args: readonly string[] } | { url: string }): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'server';
  if ('url' in entry) {
    try {
      const host = new URL(entry.url).hostname.replace(/^(www|api|mcp)\./, '');
      return clean(host.split('.').length > 1 && !/^[\d.]+$/.test(host) ? host.split('.').slice(0, -1).join('-') : host);
    } catch { return 'server'; }
  }
  const base = (p: string) => p.split(/[\\/]/).pop() ?? p;
  const runner = base(entry.command).replace(/\.(exe|cmd|bat)$/i, '');
  if (['npx', 'pnpx', 'bunx', 'uvx', 'pipx', 'deno', 'docker', 'node', 'python', 'python3', 'uv', 'bun', 'pnpm', 'yarn', 'npm'].includes(runner)) {
    // The first argument that names something: a package, an image or a script (skipping flags and `run`/`exec`).
    const target = entry.args.find((a) => !a.startsWith('-') && !['run', 'exec', 'dlx', 'x', 'tool', 'mcp'].includes(a) && !a.includes('='));
    if (target) return clean(base(target.replace(/@[^@/]*$/, '').replace(/^@[^/]+\//, '')).replace(/\.(m?js|ts|py)$/, ''));
  }
  return clean(runner);
}

/** A server name usable as a key of "servers" and in ids (`<source>#<name>`), or why not. */
export function checkServerName(name: string, taken: readonly string[]): string | undefined {
  if (!name.trim()) return 'Enter a name for the server.';
  if (name !== name.trim()) return 'The name cannot start or end with spaces.';
  if (name.length > 64) return 'Keep the name under 64 characters.';
  if (/[#\\/\p{Cc}]/u.test(name)) return 'The name cannot contain #, / or \\.';
  if (taken.includes(name)) return `"${name}" is already defined there; choose another name.`;
  return undefined;
}

/** An environment variable or header name, or why not. */
export function checkVariableName(name: string, kind: 'env' | 'header'): string | undefined {
  if (kind === 'env' ? !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) : !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    return kind === 'env' ? 'Use letters, digits and underscores, e.g. API_KEY.' : 'Use a header name such as X-API-Key.';
  }
  return undefined;
}

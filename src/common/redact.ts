/**
 * Redaction for everything that leaves the extension as text (logs, traces, tooltips, errors). Two layers:
 * known secret values (registered by whoever resolved them) are replaced wherever they appear, and well-known
 * credential shapes (bearer tokens, URL passwords, OAuth query values, secret-named keys and headers) are masked even
 * when unknown.
 */
export const REDACTED = '••••';

/** Key and header names whose value is a credential: `x-api-key`, `api_key`, `github_token`, `client-secret`, `password`… */
const SECRET_KEY = String.raw`(?<!\w)((?:[a-z0-9]+[-_])*(?:api[-_]?key|apikey|token|secret|password|passwd))`;

const PATTERNS: readonly [RegExp, string][] = [
  [/\b(authorization|proxy-authorization)(["']?\s*[:=]\s*["']?)(bearer|basic|token)?\s*[^\s"',}]+/gi, `$1$2$3 ${REDACTED}`],
  [/\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi, `$1 ${REDACTED}`],
  // The password of a URL's userinfo (`https://me:pw@host`).
  [/(\b[a-z][\w+.-]*:\/\/[^/?#\s:@]*:)[^/?#\s@]+@/gi, `$1${REDACTED}@`],
  [/([?&#](?:code|state|access_token|refresh_token|id_token|client_secret|code_verifier|token|api[_-]?key|key|password|secret)=)[^&#\s"']*/gi, `$1${REDACTED}`],
  [/("(?:access_token|refresh_token|id_token|client_secret|code_verifier|code|password|api[_-]?key|token)"\s*:\s*")[^"]*(")/gi, `$1${REDACTED}$2`],
  // `name: value`, `name=value`, `"name": "value"` (a quoted value up to its closing quote, escapes included); a
  // `${…}` placeholder is not a value.
  [new RegExp(`${SECRET_KEY}(["']?\\s*[:=]\\s*)"(?!\\$\\{)(?:[^"\\\\]|\\\\.)*"`, 'gi'), `$1$2"${REDACTED}"`],
  [new RegExp(`${SECRET_KEY}(["']?\\s*[:=]\\s*'?)(?!\\$\\{|${REDACTED})[^\\s"',;&}]+`, 'gi'), `$1$2${REDACTED}`],
];

/**
 * Minimum length of a registered secret (and of a secret's fragment at a line end, see redactLine): shorter values
 * would mask ordinary words and numbers everywhere. A secret of 1-3 characters is therefore never masked by value, only
 * by the shapes above (`pin=a1b`); that is the floor, not an oversight.
 */
const MIN_SECRET_LENGTH = 4;

/**
 * The forms a secret takes in output besides itself: URL-encoded (a query value), base64 standard and url-safe (a
 * Basic header, a data blob; unpadded, so padded and unpadded text both match) and JSON-escaped (a JSON-RPC trace).
 */
function encodedForms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  return [value, encodeURIComponent(value), bytes.toString('base64').replace(/=+$/, ''), bytes.toString('base64url'), JSON.stringify(value).slice(1, -1)];
}

export class Redactor {
  private readonly values = new Set<string>();
  /** Every registered value in all its forms. */
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;
  /** Length of the longest registered form: how much context a cut or split line needs to be redacted whole. */
  longest = 0;

  /** Registers values that must never appear in output (with their encoded forms). */
  add(...values: (string | undefined)[]): void {
    for (const v of values) {
      if (!v || v.length < MIN_SECRET_LENGTH || this.values.has(v)) continue;
      this.values.add(v);
      for (const form of encodedForms(v)) { this.secrets.add(form); this.longest = Math.max(this.longest, form.length); }
      this.pattern = undefined;
    }
  }

  redact(text: string): string {
    let out = this.secrets.size ? text.replace(this.secretPattern(), REDACTED) : text;
    for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
    return out;
  }

  /**
   * Redacts one line of a stream in which a secret may be split by a line break (`previous` is the line before, as
   * received). Sound without holding lines back: a registered secret that starts in `previous` and continues here has
   * its continuation masked at the start of this line (found by matching over the end of `previous` joined to this
   * line), and a line end of at least MIN_SECRET_LENGTH characters that begins a registered secret is masked here (its
   * rest may come on the next line, whose head the first rule masks). Only a fragment under that floor can remain.
   */
  redactLine(line: string, previous = ''): string {
    if (!this.secrets.size) return this.redact(line);
    const before = previous.slice(-(this.longest - 1));
    let start = 0;
    for (const m of (before + line).matchAll(this.secretPattern())) {
      if (m.index < before.length) start = Math.max(start, m.index + m[0].length - before.length);
    }
    let end = line.length;
    for (const s of this.secrets) {
      for (let j = Math.max(start, line.length - s.length + 1); j < end && j <= line.length - MIN_SECRET_LENGTH; j++) {
        if (line.charCodeAt(j) === s.charCodeAt(0) && s.startsWith(line.slice(j))) { end = j; break; }
      }
    }
    return `${start > 0 ? REDACTED : ''}${this.redact(line.slice(start, end))}${end < line.length ? REDACTED : ''}`;
  }

  private secretPattern(): RegExp {
    return this.pattern ??= new RegExp([...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
  }
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** System variables whose names match the heuristic but hold paths or words (masking them would mask ordinary text). */
const NOT_SECRET_NAMES = /^((OLD)?PWD|SESSION_MANAGER|DESKTOP_SESSION|XAUTHORITY|SSH_AUTH_SOCK|KRB5CCNAME|XDG_SESSION_\w+|DBUS_SESSION_BUS_ADDRESS|GNOME_KEYRING_\w+)$/;

/** Heuristic: does a key/header name look like it holds a secret? (TOKEN, KEY, SECRET, PASSWORD, Authorization…) */
export function looksLikeSecretName(name: string): boolean {
  if (NOT_SECRET_NAMES.test(name)) return false;
  return /(token|secret|passw(or)?d|pwd|api[-_]?key|access[-_]?key|private[-_]?key|auth(orization)?|credential|cookie|session)/i.test(name)
    || /(^|[-_])key$/i.test(name);
}

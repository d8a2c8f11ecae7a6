/**
 * Redaction for everything that leaves the extension as text (logs, traces, tooltips, errors). Two layers:
 * known secret values (registered by whoever resolved them) are replaced wherever they appear, and well-known
 * credential shapes (bearer tokens, OAuth query values, JSON token fields) are masked even when unknown.
 */
export const REDACTED = '••••';

const PATTERNS: readonly [RegExp, string][] = [
  [/\b(authorization|proxy-authorization)(["']?\s*[:=]\s*["']?)(bearer|basic|token)?\s*[^\s"',}]+/gi, `$1$2$3 ${REDACTED}`],
  [/\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi, `$1 ${REDACTED}`],
  [/([?&#](?:code|state|access_token|refresh_token|id_token|client_secret|code_verifier|token|api[_-]?key|key|password|secret)=)[^&#\s"']*/gi, `$1${REDACTED}`],
  [/("(?:access_token|refresh_token|id_token|client_secret|code_verifier|code|password|api[_-]?key|token)"\s*:\s*")[^"]*(")/gi, `$1${REDACTED}$2`],
];

/** Minimum length of a registered secret; shorter values would mask ordinary words. */
const MIN_SECRET_LENGTH = 4;

export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;

  /** Registers values that must never appear in output. */
  add(...values: (string | undefined)[]): void {
    let changed = false;
    for (const v of values) {
      if (v && v.length >= MIN_SECRET_LENGTH && !this.secrets.has(v)) { this.secrets.add(v); changed = true; }
    }
    if (changed) this.pattern = undefined;
  }

  redact(text: string): string {
    let out = text;
    if (this.secrets.size) {
      this.pattern ??= new RegExp([...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
      out = out.replace(this.pattern, REDACTED);
    }
    for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
    return out;
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

/**
 * Text from servers, files and the network is untrusted. Before it reaches a notification it must not carry
 * markdown command links, HTML, control characters, or unbounded length.
 */
const MAX_NOTIFICATION_CHARS = 300;

/**
 * The text of a notification, whoever made it: redacted first (a secret cut by the length bound would no longer
 * match), then made safe and bounded (review M2).
 */
export function notificationText(message: string, redact: (text: string) => string): string {
  return safeNotificationText(redact(message));
}

export function safeNotificationText(text: string, max = MAX_NOTIFICATION_CHARS): string {
  let out = text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/\s+/g, ' ')
    // Markdown links/images ([x](command:...)) become their text; bare command: / vscode: URIs are defused.
    .replace(/!?\[([^\]]*)\]\(([^)]*)\)/g, '$1')
    .replace(/\b(command|vscode|code-oss|vscode-insiders):/gi, '$1\u200a:')
    .replace(/[<>]/g, (c) => (c === '<' ? '‹' : '›'))
    // Notifications render links only; backticks go (no code spans), but _ and * stay: they are in names (API_KEY).
    .replace(/`/g, '')
    .trim();
  if (out.length > max) out = `${out.slice(0, max - 1)}…`;
  return out;
}

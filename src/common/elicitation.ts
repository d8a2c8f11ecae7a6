/**
 * Elicitation (MCP `elicitation/create`, revision 2025-11-25): a server asks the user, through the client, for a few
 * values (form mode) or to open a link (URL mode). Pure: the session (src/servers/mcpSession.ts) parses, logs and
 * answers; the editor's UI (src/views/elicitationPanel.ts) asks. A form is the Call Tool form's model (buildForm), its
 * content is validated with the tool arguments' ajv (src/features/argumentValidator.ts) plus `contentProblems`.
 */
import { looksLikeAccessToken } from './config/secretsInArgs';
import type { PendingInput } from './model';
import { REDACTED } from './redact';
import { type FormField, type JsonSchema, type ValidationError, buildForm, escapePointer, isObject } from './schemaForm';
import type { ServerId } from './serverId';
import { cleanServerText } from './serverText';
import { isSecureUrl } from './urls';

export interface FormElicitation { readonly mode: 'form'; readonly message: string; readonly requestedSchema: JsonSchema }
/** `elicitationId`: 2025-11-25's id of the elicitation; on 2026-07-28 (inside `input_required`) its input key names it instead. */
export interface UrlElicitation { readonly mode: 'url'; readonly message: string; readonly url: string; readonly elicitationId?: string }
export type ElicitationRequest = FormElicitation | UrlElicitation;

export type ElicitValue = string | number | boolean | string[];
export type ElicitContent = Record<string, ElicitValue>;
/** The user's answer. Decline ("no") and cancel (dismissed, no decision) are distinct; URL mode accepts with `{}`. */
export type ElicitationAnswer =
  | { readonly action: 'accept'; readonly content: ElicitContent }
  | { readonly action: 'decline' }
  | { readonly action: 'cancel' };

export interface ElicitationContext {
  readonly serverId: ServerId;
  readonly serverName: string;
  /** Aborts when the server cancels its request, the connection ends or the server is stopped: close the UI, answer nothing. */
  readonly signal: AbortSignal;
}

/** The editor's side of elicitation (src/views/elicitationPanel.ts; tests script it). */
export interface ElicitationUi {
  /** Asks the user. Rejects (any error) when `context.signal` aborts, having closed what it showed. */
  ask(request: ElicitationRequest, context: ElicitationContext): Promise<ElicitationAnswer>;
  /** A request was answered `decline` without asking (a link that may not be opened): tell the user why. */
  refused(serverName: string, reason: string): void;
}

export type { PendingInput } from './model';

const MAX_LOGGED_MESSAGE = 200;
const MAX_LOGGED_VALUE = 60;
/** Field names (or titles) that ask for a secret. */
const SECRET_FIELD = /pass(word|phrase)|passwd|pwd|secret|token|api[-_ ]?key|apikey|private[-_ ]?key|access[-_ ]?key|credential/i;

// ---- parsing ------------------------------------------------------------------------------------------------------

export type ParsedElicitation = { readonly ok: true; readonly request: ElicitationRequest } | { readonly ok: false; readonly error: string };

/**
 * Checks the request's params: a message, and either a URL (URL mode; its elicitationId, when it has one) or a flat object schema
 * of primitive fields (form mode: string, number, integer, boolean, single- or multi-select enums).
 */
export function parseElicitation(params: unknown): ParsedElicitation {
  const fail = (error: string): ParsedElicitation => ({ ok: false, error: `invalid elicitation request: ${error}` });
  if (!isObject(params) || typeof params['message'] !== 'string') return fail('it has no message');
  const message = params['message'];
  const mode = params['mode'] ?? 'form';
  if (mode === 'url') {
    const { url, elicitationId } = params;
    if (typeof url !== 'string') return fail('a URL-mode request needs a url');
    if (elicitationId !== undefined && typeof elicitationId !== 'string') return fail('a URL-mode request\'s elicitationId must be a string');
    return { ok: true, request: { mode, message, url, ...(elicitationId === undefined ? {} : { elicitationId }) } };
  }
  if (mode !== 'form') return fail(`unknown mode ${JSON.stringify(mode)}`);
  const schema = params['requestedSchema'];
  if (!isObject(schema) || schema['type'] !== 'object' || !isObject(schema['properties'])) return fail('requestedSchema must be an object schema with properties');
  const fields = buildForm(schema).fields;
  const bad = Object.keys(schema['properties']).find((name) => !isFlat(fields.find((f) => f.name === name)));
  if (bad) return fail(`field '${bad}' is not a string, number, integer, boolean or enum (nested values are not allowed)`);
  return { ok: true, request: { mode, message, requestedSchema: schema } };
}

function isFlat(f: FormField | undefined): boolean {
  if (!f) return false;
  if (f.kind === 'array') return f.item.kind === 'enum';
  return f.kind !== 'object' && f.kind !== 'json';
}

/** The form the user fills: the Call Tool form model, with the sensitive string fields typed into password boxes. */
export function elicitationForm(request: FormElicitation): FormField & { kind: 'object' } {
  const form = buildForm(request.requestedSchema);
  const secret = sensitiveFields(request);
  return { ...form, fields: form.fields.map((f) => (f.kind === 'string' && secret.has(f.name) ? { ...f, secret: true, multiline: false } : f)) };
}

// ---- validation ---------------------------------------------------------------------------------------------------

const FORMATS: Readonly<Record<string, { readonly test: (v: string) => boolean; readonly message: string }>> = {
  email: { test: (v) => /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(v), message: 'Must be an email address.' },
  uri: { test: (v) => /^[a-z][a-z0-9+.-]*:/i.test(v) && URL.canParse(v), message: 'Must be a URI (e.g. https://example.com).' },
  date: { test: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && validDate(v), message: 'Must be a date (YYYY-MM-DD).' },
  'date-time': {
    test: (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(v) && validDate(v.slice(0, 10)) && !Number.isNaN(Date.parse(v)),
    message: 'Must be a date and time with its offset (e.g. 2025-11-25T09:30:00Z).',
  },
};

function validDate(ymd: string): boolean {
  const d = new Date(`${ymd}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(ymd);
}

/**
 * What ajv leaves to us in accepted content (ajv checks types, required, enums and bounds): only the form's fields,
 * each a primitive (or a list of strings), and the string formats (ajv treats `format` as an annotation). Our own
 * regexes, linear: none comes from the server.
 */
export function contentProblems(request: FormElicitation, content: unknown): ValidationError[] {
  if (!isObject(content)) return [{ path: '', message: 'The answer must be an object.' }];
  const props = isObject(request.requestedSchema['properties']) ? request.requestedSchema['properties'] : {};
  const errors: ValidationError[] = [];
  for (const [key, value] of Object.entries(content)) {
    const path = `/${escapePointer(key)}`;
    const prop = props[key];
    if (!isObject(prop)) { errors.push({ path, message: 'Is not a field of this form.' }); continue; }
    const primitive = ['string', 'number', 'boolean'].includes(typeof value) || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    if (!primitive) { errors.push({ path, message: 'Must be a string, number, boolean or list of choices.' }); continue; }
    const format = typeof prop['format'] === 'string' ? FORMATS[prop['format']] : undefined;
    if (format && typeof value === 'string' && !format.test(value)) errors.push({ path, message: format.message });
  }
  return errors;
}

// ---- sensitivity and log lines ------------------------------------------------------------------------------------

/** Fields the schema marks as secrets: `format: "password"`, or a name or title that asks for a password, secret, token or key. */
export function sensitiveFields(request: FormElicitation): Set<string> {
  const props = isObject(request.requestedSchema['properties']) ? request.requestedSchema['properties'] : {};
  return new Set(Object.entries(props).filter(([name, p]) => isObject(p) && (
    p['format'] === 'password' || SECRET_FIELD.test(name) || (typeof p['title'] === 'string' && SECRET_FIELD.test(p['title']))
  )).map(([name]) => name));
}

/** A value with a credential's shape: a well-known token prefix, a JWT, a PEM key, or a long random-looking string. */
export function looksLikeSecretValue(value: string): boolean {
  return looksLikeAccessToken(value)
    || /^eyJ[\w-]+\.[\w-]+\.[\w-]*$/.test(value)
    || /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)
    || (/^[A-Za-z0-9+/=_.~-]{32,}$/.test(value) && /\d/.test(value) && /[a-z]/.test(value) && /[A-Z]/.test(value));
}

/** The fields of an answer never shown in clear: the schema's sensitive fields, and any whose value looks like a secret. */
export function sensitiveKeys(request: FormElicitation, content: ElicitContent): Set<string> {
  const keys = sensitiveFields(request);
  for (const [key, value] of Object.entries(content)) {
    if ((Array.isArray(value) ? value : [value]).some((v) => typeof v === 'string' && looksLikeSecretValue(v))) keys.add(key);
  }
  return keys;
}

/** The secret values of an answer, to register with the session's Redactor (every later log line masks them). */
export function secretValues(request: ElicitationRequest, answer: ElicitationAnswer): string[] {
  if (request.mode !== 'form' || answer.action !== 'accept') return [];
  const keys = sensitiveKeys(request, answer.content);
  return Object.entries(answer.content).filter(([k]) => keys.has(k)).flatMap(([, v]) => (Array.isArray(v) ? v : [String(v)]));
}

/** `elicitation: <server> asked "<message>" (form, N fields)` / `(url, <host>)`: the log line of a request. */
export function describeRequest(serverName: string, request: ElicitationRequest): string {
  const detail = request.mode === 'form'
    ? `form, ${plural(Object.keys(isObject(request.requestedSchema['properties']) ? request.requestedSchema['properties'] : {}).length, 'field')}`
    : `url, ${hostOf(request.url) ?? 'not a valid URL'}`;
  return `elicitation: ${serverName} asked "${cleanServerText(request.message, MAX_LOGGED_MESSAGE)}" (${detail})`;
}

/**
 * The log line of an answer: `accepted (name="Ada", password=••••)`, `declined`, `cancelled`. Sensitive fields (see
 * sensitiveKeys) are never written; other values are clipped.
 */
export function describeAnswer(serverName: string, request: ElicitationRequest, answer: ElicitationAnswer): string {
  const word = answer.action === 'accept' ? 'accepted' : answer.action === 'decline' ? 'declined' : 'cancelled';
  if (answer.action !== 'accept' || request.mode !== 'form') return `elicitation: ${serverName} ${word}`;
  const secret = sensitiveKeys(request, answer.content);
  const fields = Object.entries(answer.content).map(([k, v]) => `${k}=${secret.has(k) ? REDACTED : typeof v === 'object' ? `[${v.length} chosen]` : clipValue(v)}`);
  return `elicitation: ${serverName} ${word} (${fields.join(', ') || 'no fields'})`;
}

function clipValue(v: string | number | boolean): string {
  if (typeof v !== 'string') return String(v);
  return JSON.stringify(cleanServerText(v, MAX_LOGGED_VALUE));
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What a tree row shows while the server waits (its message one line, clipped, through `redact`). */
export function pendingInputOf(request: ElicitationRequest, since: number, count: number, redact: (text: string) => string): PendingInput {
  return { mode: request.mode, message: redact(cleanServerText(request.message, MAX_LOGGED_MESSAGE)), since, count };
}

// ---- URL mode -----------------------------------------------------------------------------------------------------

export type UrlCheck = { readonly ok: true; readonly host: string } | { readonly ok: false; readonly reason: string };

/** A URL-mode link may be opened only if it is https (or http to this machine) and carries no credentials. */
export function checkElicitationUrl(url: string): UrlCheck {
  if (!URL.canParse(url)) return { ok: false, reason: 'it is not a valid URL' };
  const u = new URL(url);
  if (!isSecureUrl(url)) return { ok: false, reason: `only https: links (or http: to this machine) are opened, and this one is ${u.protocol}` };
  if (u.username || u.password) return { ok: false, reason: 'it carries a user name or password' };
  return { ok: true, host: u.host };
}

/** The host of a URL as the browser will reach it (IDN in its punycode form), or undefined. */
function hostOf(url: string): string | undefined {
  try { return new URL(url).host || undefined; } catch { return undefined; }
}

// ---- the form webview's messages (media/elicitation.js ↔ src/views/elicitationPanel.ts) --------------------------

export type ElicitationToExtension =
  | { readonly type: 'ready' }
  | { readonly type: 'validate' | 'submit'; readonly args: unknown }
  | { readonly type: 'decline' | 'cancel' };

export type ElicitationToWebview =
  | { readonly type: 'init'; readonly server: string; readonly message: string; readonly form: FormField & { kind: 'object' }; readonly initialArgs: Record<string, unknown> }
  | { readonly type: 'validation'; readonly errors: readonly ValidationError[]; readonly note?: string };

export function parseElicitationMessage(msg: unknown): ElicitationToExtension | undefined {
  if (!isObject(msg)) return undefined;
  switch (msg['type']) {
    case 'ready': case 'decline': case 'cancel': return { type: msg['type'] };
    case 'validate': case 'submit': return { type: msg['type'], args: msg['args'] };
    default: return undefined;
  }
}

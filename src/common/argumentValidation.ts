/**
 * Tool arguments checked against the tool's input schema with ajv (JSON Schema 2020-12, draft-07 when `$schema` says
 * so), before every call and while the user types in the Call Tool form. Pure: ajv arrives as a parameter (it is
 * bundled with the SDK, dist/sdk.js, so activation does not load it), and so does the regex evaluation.
 *
 * No regular expression a server supplies (`pattern`, `patternProperties`, and so on) is compiled or run on this
 * thread (review M5: `^(a+)+$` with the server's own default froze the extension host). ajv gets a regex "engine" that
 * builds no RegExp: its `test()` looks the (pattern, text) pair up in the answers of this validation, records it when
 * unanswered and says "matches" for now. The recorded pairs are evaluated elsewhere (`EvaluatePatterns`: a worker with
 * a time budget, src/features/argumentValidator.ts) and validation runs again with the answers, until no pair is new.
 * Pairs that were not answered in time count as matching (the server validates anyway), with a note to the user.
 *
 * `format` is an annotation, as 2020-12 says by default: not asserted (and so no format regexes run either).
 */
import type { jsonSchemaValidator } from '@modelcontextprotocol/client';
import type { Ajv as AjvDraft7, ErrorObject, Options, ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020';
import { type JsonSchema, type ValidationError, escapePointer, isObject } from './schemaForm';

/** The ajv classes (src/sdk.ts exports them from the SDK's bundle). */
export interface AjvClasses {
  readonly Ajv: typeof AjvDraft7;
  readonly Ajv2020: typeof Ajv2020;
}

/** One regex question: does `text` match `pattern` (ajv compiles patterns with the `u` flag)? */
export interface PatternQuery {
  readonly pattern: string;
  readonly text: string;
}

/** Answers the queries, in order: true / false, or undefined when it could not (invalid pattern, out of time). */
export type EvaluatePatterns = (queries: readonly PatternQuery[]) => Promise<readonly (boolean | undefined)[]>;

export interface ValidationOutcome {
  /** What is wrong, per field (JSON Pointer + message); empty = the arguments may be sent. */
  readonly errors: readonly ValidationError[];
  /** Something the user should know that does not block the call (the server checks the arguments as well). */
  readonly note?: string;
}

const MAX_ERRORS = 50;
/** Rounds of "evaluate the new regex questions, validate again"; an answer can lead to new questions (patternProperties). */
const MAX_ROUNDS = 4;
const MAX_PATTERN_CHARS = 1_000;
const MAX_NOTE_DETAIL_CHARS = 300;

const DRAFT_2020 = /^https?:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/;
const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/;
/** Older drafts ajv 8 has no meta-schema for: validated as draft-07, which they are close to. */
const DRAFT_OLDER = /^https?:\/\/json-schema\.org\/draft-0[3-6]\/schema#?$/;

// ---- the deferred regex engine -----------------------------------------------------------------------------------

/** The answers of the validation running now (ajv's validate functions are synchronous: one at a time). */
let current: { readonly answers: ReadonlyMap<string, boolean | undefined>; readonly asked: Map<string, PatternQuery> } | undefined;

const queryKey = (pattern: string, text: string) => `${pattern.length}:${pattern}\u0000${text}`;

/** ajv's `code.regExp`: called once per pattern when a schema is compiled; builds no RegExp. */
const deferredRegExp = Object.assign((pattern: string, flags: string) => ({
  test(text: string): boolean {
    if (!current) return true; // compiling (meta-schema checks): nothing to decide yet
    const key = queryKey(pattern, text);
    if (current.answers.has(key)) return current.answers.get(key) ?? true;
    current.asked.set(key, { pattern, text });
    return true;
  },
  toString: () => `/${pattern}/${flags}`, // ajv's key for sharing one engine object per pattern
}), { code: 'deferredRegExp' });

// ---- compiling ----------------------------------------------------------------------------------------------------

type Compiled = { readonly validate: ValidateFunction } | { readonly problem: string };

const instances = new WeakMap<AjvClasses, { draft7?: AjvDraft7; draft2020?: Ajv2020 }>();
const compiled = new WeakMap<object, Compiled>();

const AJV_OPTIONS: Options = {
  strict: false, // servers' schemas carry keywords of their own (x-…, examples, nullable)
  allErrors: true, // every field's problem at once
  verbose: true, // the failing schema on each error (to simplify anyOf/oneOf)
  validateFormats: false,
  addUsedSchema: false, // tools' `$id`s must not collide in a shared instance
  code: { regExp: deferredRegExp },
};

function ajvFor(classes: AjvClasses, draft: 'draft7' | 'draft2020'): AjvDraft7 | Ajv2020 {
  let entry = instances.get(classes);
  if (!entry) instances.set(classes, entry = {});
  if (draft === 'draft7') return entry.draft7 ??= new classes.Ajv(AJV_OPTIONS);
  return entry.draft2020 ??= new classes.Ajv2020(AJV_OPTIONS);
}

/** Which dialect: 2020-12 unless `$schema` names draft-07 or older (MCP: no `$schema` means 2020-12). */
export function dialectOf(schema: JsonSchema): { draft: 'draft7' | 'draft2020'; known: boolean } {
  const uri = typeof schema['$schema'] === 'string' ? schema['$schema'] : undefined;
  if (uri === undefined || DRAFT_2020.test(uri)) return { draft: 'draft2020', known: true };
  if (DRAFT_07.test(uri)) return { draft: 'draft7', known: true };
  if (DRAFT_OLDER.test(uri)) return { draft: 'draft7', known: false };
  return { draft: 'draft2020', known: false };
}

function compile(classes: AjvClasses, schema: JsonSchema): Compiled {
  const cached = compiled.get(schema);
  if (cached) return cached;
  const { draft, known } = dialectOf(schema);
  // A `$schema` ajv has no meta-schema for would fail the compile; such a schema is read as the dialect chosen above.
  const input = known ? schema : { ...schema, $schema: undefined };
  const ajv = ajvFor(classes, draft);
  let result: Compiled;
  try {
    result = { validate: ajv.compile(input) };
  } catch (err) {
    result = { problem: clip(err instanceof Error ? err.message : String(err), MAX_NOTE_DETAIL_CHARS) };
  } finally {
    ajv.removeSchema(input); // our WeakMap caches it; ajv's own cache would keep every schema ever seen
  }
  compiled.set(schema, result);
  return result;
}

// ---- validating ---------------------------------------------------------------------------------------------------

/**
 * Validates tool arguments against the tool's input schema. The arguments must be an object; a missing or non-object
 * schema accepts anything. A schema ajv cannot compile blocks nothing: it gives a note (the form's JSON mode still
 * edits the arguments, and the server checks them).
 */
export async function validateArguments(classes: AjvClasses, inputSchema: unknown, args: unknown, evaluate: EvaluatePatterns): Promise<ValidationOutcome> {
  if (!isObject(args)) return { errors: [{ path: '', message: 'The arguments must be a JSON object.' }] };
  if (!isObject(inputSchema)) return { errors: [] };
  const c = compile(classes, inputSchema);
  if ('problem' in c) return { errors: [], note: `The tool's input schema cannot be checked here (${c.problem}); the server checks the arguments.` };

  const answers = new Map<string, boolean | undefined>();
  let unanswered = 0;
  for (let round = 0; ; round++) {
    const asked = new Map<string, PatternQuery>();
    current = { answers, asked };
    let valid: boolean;
    try {
      valid = c.validate(args);
    } finally {
      current = undefined;
    }
    if (asked.size === 0 || round === MAX_ROUNDS) {
      unanswered += asked.size;
      const errors = valid ? [] : toValidationErrors(c.validate.errors ?? []);
      return { errors, note: unanswered ? patternNote(unanswered) : undefined };
    }
    const queries = [...asked.entries()];
    const tooLong = queries.filter(([, q]) => q.pattern.length > MAX_PATTERN_CHARS);
    for (const [key] of tooLong) answers.set(key, undefined);
    const toEvaluate = queries.filter(([, q]) => q.pattern.length <= MAX_PATTERN_CHARS);
    const results = toEvaluate.length ? await evaluate(toEvaluate.map(([, q]) => q)) : [];
    toEvaluate.forEach(([key], i) => answers.set(key, results[i]));
    unanswered += tooLong.length + results.filter((r) => r === undefined).length + Math.max(0, toEvaluate.length - results.length);
  }
}

/**
 * The JSON Schema validator the SDK's Client is given (tools' output schemas, elicitation answers): synchronous, so no
 * regex a server supplies is evaluated (its patterns count as matching: the server's own checks stand); everything
 * else is checked. A schema ajv cannot compile accepts anything, as it does for arguments. (The SDK's default would
 * compile and run the server's patterns on the extension host's thread.)
 */
export function hostSafeSchemaValidator(classes: AjvClasses): jsonSchemaValidator {
  return {
    getValidator: <T>(schema: unknown) => {
      const c = isObject(schema) ? compile(classes, schema) : undefined;
      return (input: unknown) => {
        if (!c || 'problem' in c || c.validate(input)) return { valid: true as const, data: input as T, errorMessage: undefined };
        const errors = toValidationErrors(c.validate.errors ?? []);
        return { valid: false as const, data: undefined, errorMessage: errors.map((e) => `${e.path || '/'}: ${e.message}`).join('; ') };
      };
    },
  };
}

function patternNote(count: number): string {
  return `${count === 1 ? 'A pattern' : `${count} patterns`} of the schema could not be checked here (invalid, too long or too slow); the server checks the arguments.`;
}

/** ajv's errors as one clear message per field, at the JSON Pointer of the value concerned. */
export function toValidationErrors(errors: readonly ErrorObject[]): ValidationError[] {
  const out: ValidationError[] = [];
  const seen = new Set<string>();
  for (const e of simplify(errors)) {
    const mapped = message(e);
    if (!mapped) continue;
    const key = `${mapped.path}\u0000${mapped.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(mapped);
    if (out.length >= MAX_ERRORS) break;
  }
  return out;
}

/**
 * anyOf / oneOf failures: for `T | null` (one non-null alternative) the errors of T; otherwise one "does not match any
 * of the allowed shapes" instead of every alternative's complaints. `if` failures go: their then/else errors say it.
 */
function simplify(errors: readonly ErrorObject[]): ErrorObject[] {
  let out = errors.filter((e) => e.keyword !== 'if');
  const combinators = out.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const c of combinators) {
    if (!out.includes(c)) continue; // an alternative's own error, dropped with its outer combinator
    const prefix = `${c.schemaPath}/`;
    const inAlternative = (e: ErrorObject) => e.schemaPath.startsWith(prefix);
    const alternatives: unknown[] = Array.isArray(c.schema) ? c.schema : [];
    const nonNull = alternatives.map((a, i) => ({ a, i })).filter(({ a }) => !(isObject(a) && a['type'] === 'null'));
    const tooMany = isObject(c.params) && Array.isArray(c.params['passingSchemas']);
    if (!tooMany && nonNull.length === 1 && out.some((e) => e.schemaPath.startsWith(`${prefix}${nonNull[0].i}/`))) {
      const keep = `${prefix}${nonNull[0].i}/`;
      out = out.filter((e) => e !== c && (!inAlternative(e) || e.schemaPath.startsWith(keep)));
    } else {
      out = out.filter((e) => !inAlternative(e));
    }
  }
  return out;
}

const COMPARISON: Record<string, string> = { '<=': '≤', '>=': '≥', '<': '<', '>': '>' };

function message(e: ErrorObject): ValidationError | undefined {
  const m = plainMessage(e);
  const name = e.propertyName;
  return m && typeof name === 'string' ? { path: m.path, message: `Property name '${clip(name, 100)}': ${m.message}` } : m;
}

function plainMessage(e: ErrorObject): ValidationError | undefined {
  const p = e.params as Record<string, unknown>;
  const at = e.instancePath;
  const child = (name: unknown) => `${at}/${escapePointer(String(name))}`;
  switch (e.keyword) {
    case 'required': case 'dependentRequired': case 'dependencies':
      return { path: child(p['missingProperty']), message: 'Required.' };
    case 'additionalProperties':
      return { path: child(p['additionalProperty']), message: `Unknown property '${String(p['additionalProperty'])}'.` };
    case 'unevaluatedProperties':
      return { path: child(p['unevaluatedProperty']), message: `Unknown property '${String(p['unevaluatedProperty'])}'.` };
    case 'type': {
      const types = Array.isArray(p['type']) ? p['type'].map(String) : String(p['type']).split(',');
      return { path: at, message: `Must be ${types.map(article).join(' or ')}.` };
    }
    case 'const':
      return { path: at, message: `Must be ${JSON.stringify(p['allowedValue'])}.` };
    case 'enum': {
      const values = Array.isArray(p['allowedValues']) ? p['allowedValues'] : [];
      return { path: at, message: `Must be one of ${values.slice(0, 10).map((v) => JSON.stringify(v)).join(', ')}${values.length > 10 ? ', …' : ''}.` };
    }
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return { path: at, message: `Must be ${COMPARISON[String(p['comparison'])] ?? String(p['comparison'])} ${String(p['limit'])}.` };
    case 'multipleOf':
      return { path: at, message: `Must be a multiple of ${String(p['multipleOf'])}.` };
    case 'minLength':
      return { path: at, message: `Must be at least ${String(p['limit'])} characters.` };
    case 'maxLength':
      return { path: at, message: `Must be at most ${String(p['limit'])} characters.` };
    case 'pattern':
      return { path: at, message: `Must match the pattern ${clip(String(p['pattern']), 200)}.` };
    case 'minItems':
      return { path: at, message: `Needs at least ${String(p['limit'])} item(s).` };
    case 'maxItems':
      return { path: at, message: `Allows at most ${String(p['limit'])} item(s).` };
    case 'uniqueItems':
      return { path: at, message: `Items ${Number(p['j']) + 1} and ${Number(p['i']) + 1} are the same; items must be unique.` };
    case 'minProperties':
      return { path: at, message: `Needs at least ${String(p['limit'])} propert${p['limit'] === 1 ? 'y' : 'ies'}.` };
    case 'maxProperties':
      return { path: at, message: `Allows at most ${String(p['limit'])} propert${p['limit'] === 1 ? 'y' : 'ies'}.` };
    case 'anyOf':
      return { path: at, message: 'Does not match any of the allowed shapes.' };
    case 'oneOf':
      return { path: at, message: Array.isArray(p['passingSchemas']) ? 'Matches more than one of the allowed shapes.' : 'Does not match any of the allowed shapes.' };
    case 'not':
      return { path: at, message: 'Matches a shape that is not allowed.' };
    case 'false schema':
      return { path: at, message: 'Not allowed.' };
    case 'propertyNames':
      return undefined; // the name's own error (reported with propertyName) says it
    default: {
      const text = e.message ?? `fails '${e.keyword}'`;
      return { path: at, message: `${text.charAt(0).toUpperCase()}${text.slice(1)}.` };
    }
  }
}

function article(type: string): string {
  switch (type) {
    case 'integer': return 'an integer';
    case 'object': return 'an object';
    case 'array': return 'an array';
    case 'null': return 'null';
    default: return `a ${type}`;
  }
}

function clip(text: string, max: number): string { return text.length > max ? `${text.slice(0, max - 1)}…` : text; }

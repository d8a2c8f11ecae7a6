/**
 * A tool's input JSON Schema as a form model (what the Call Tool webview renders) and a small validator for the
 * arguments (run in the extension before every call; the webview asks it while the user types). Pure: no VS Code.
 *
 * Supported: string / number / integer / boolean, enum and const (a select), nested objects, arrays (add/remove
 * items), defaults, descriptions, required, nullable (`type: [T, "null"]`, `anyOf: [T, {type: null}]`), local `$ref`s.
 * Anything else becomes a raw-JSON field for that value.
 */

export type JsonSchema = Record<string, unknown>;

interface FieldBase {
  /** Property name (or `[]` for an array's item template, `''` for the root). */
  readonly name: string;
  readonly label: string;
  readonly description?: string;
  readonly required: boolean;
  readonly default?: unknown;
  readonly nullable?: boolean;
}

export type FormField =
  | FieldBase & { readonly kind: 'string'; readonly format?: string; readonly multiline: boolean; readonly minLength?: number; readonly maxLength?: number; readonly pattern?: string }
  | FieldBase & { readonly kind: 'number' | 'integer'; readonly minimum?: number; readonly maximum?: number }
  | FieldBase & { readonly kind: 'boolean' }
  | FieldBase & { readonly kind: 'enum'; readonly options: readonly { readonly label: string; readonly value: unknown }[] }
  | FieldBase & { readonly kind: 'object'; readonly fields: readonly FormField[] }
  | FieldBase & { readonly kind: 'array'; readonly item: FormField; readonly minItems?: number; readonly maxItems?: number }
  | FieldBase & { readonly kind: 'json' };

export interface ValidationError {
  /** JSON Pointer of the offending value (`''` = the arguments object itself). */
  readonly path: string;
  readonly message: string;
}

/** Nesting deeper than this renders as a raw-JSON field (also stops `$ref` cycles). */
const MAX_FORM_DEPTH = 8;
const MAX_LABEL_CHARS = 120;
const MAX_DESCRIPTION_CHARS = 2_000;
const MAX_ENUM_OPTIONS = 500;

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The form for a tool's `inputSchema` (always an object at the root). */
export function buildForm(inputSchema: unknown): FormField & { kind: 'object' } {
  const root = isObject(inputSchema) ? inputSchema : {};
  const field = fieldFor(root, root, '', true, 0);
  if (field.kind === 'object') return field;
  // A root that is not an object schema has no fields to show; the form's raw-JSON mode still edits the arguments.
  return { kind: 'object', name: '', label: 'Arguments', required: true, fields: [] };
}

function fieldFor(schemaIn: JsonSchema, root: JsonSchema, name: string, required: boolean, depth: number): FormField {
  const { schema, nullable } = normalize(schemaIn, root);
  const title = typeof schema['title'] === 'string' ? schema['title'] : undefined;
  const base: FieldBase = {
    name,
    label: clip(title ?? name, MAX_LABEL_CHARS),
    description: typeof schema['description'] === 'string' ? clip(schema['description'], MAX_DESCRIPTION_CHARS) : undefined,
    required,
    default: schema['default'],
    nullable: nullable || undefined,
  };
  if (depth > MAX_FORM_DEPTH) return { ...base, kind: 'json' };
  if (Array.isArray(schema['enum']) || 'const' in schema) {
    const values: unknown[] = Array.isArray(schema['enum']) ? (schema['enum'] as unknown[]).slice(0, MAX_ENUM_OPTIONS) : [schema['const']];
    return { ...base, kind: 'enum', options: values.map((value) => ({ label: typeof value === 'string' ? value : JSON.stringify(value), value })) };
  }
  switch (primaryType(schema)) {
    case 'string': {
      const format = typeof schema['format'] === 'string' ? schema['format'] : undefined;
      return {
        ...base, kind: 'string', format,
        multiline: typeof schema['maxLength'] !== 'number' || schema['maxLength'] > 200,
        minLength: num(schema['minLength']), maxLength: num(schema['maxLength']),
        pattern: typeof schema['pattern'] === 'string' ? schema['pattern'] : undefined,
      };
    }
    case 'number': case 'integer':
      return { ...base, kind: primaryType(schema) as 'number' | 'integer', minimum: num(schema['minimum']), maximum: num(schema['maximum']) };
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'object': {
      const props = isObject(schema['properties']) ? schema['properties'] : {};
      const req = requiredSet(schema);
      const fields = Object.entries(props).filter((e): e is [string, JsonSchema] => isObject(e[1]))
        .map(([key, prop]) => fieldFor(prop, root, key, req.has(key), depth + 1));
      // An object whose keys are free-form (additionalProperties / no properties at all) is edited as JSON.
      if (fields.length === 0 && depth > 0) return { ...base, kind: 'json' };
      return { ...base, kind: 'object', fields };
    }
    case 'array': {
      const items = isObject(schema['items']) ? schema['items'] : undefined;
      if (!items) return { ...base, kind: 'json' };
      return { ...base, kind: 'array', item: fieldFor(items, root, '[]', true, depth + 1), minItems: num(schema['minItems']), maxItems: num(schema['maxItems']) };
    }
    case undefined:
    default:
      return { ...base, kind: 'json' };
  }
}

/** Resolves a local `$ref` and unwraps `T | null` shapes; `nullable` says null is allowed too. */
function normalize(schema: JsonSchema, root: JsonSchema, depth = 0): { schema: JsonSchema; nullable: boolean } {
  if (depth > MAX_FORM_DEPTH) return { schema: {}, nullable: false };
  if (typeof schema['$ref'] === 'string') {
    const target = resolveRef(schema['$ref'], root);
    const { $ref: _ref, ...rest } = schema;
    return target ? normalize({ ...target, ...rest }, root, depth + 1) : { schema: rest, nullable: false };
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const alts = schema[key];
    if (!Array.isArray(alts)) continue;
    const nonNull = alts.filter((a): a is JsonSchema => isObject(a) && a['type'] !== 'null');
    if (nonNull.length === 1 && alts.length === 2) {
      const { [key]: _alts, ...rest } = schema;
      return { schema: normalize({ ...rest, ...nonNull[0] }, root, depth + 1).schema, nullable: true };
    }
  }
  const t = schema['type'];
  if (Array.isArray(t) && t.includes('null')) {
    const others = t.filter((x) => x !== 'null');
    if (others.length === 1) return { schema: { ...schema, type: others[0] }, nullable: true };
  }
  return { schema, nullable: false };
}

function resolveRef(ref: string, root: JsonSchema): JsonSchema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) ? node[key] : undefined;
  }
  return isObject(node) ? node : undefined;
}

function primaryType(schema: JsonSchema): string | undefined {
  const t = schema['type'];
  if (typeof t === 'string') return t;
  if (Array.isArray(t) && t.length === 1 && typeof t[0] === 'string') return t[0];
  if (t === undefined && isObject(schema['properties'])) return 'object';
  return undefined;
}

function requiredSet(schema: JsonSchema): Set<string> {
  return new Set(Array.isArray(schema['required']) ? schema['required'].filter((r): r is string => typeof r === 'string') : []);
}

function num(v: unknown): number | undefined { return typeof v === 'number' && Number.isFinite(v) ? v : undefined; }

function clip(text: string, max: number): string { return text.length > max ? `${text.slice(0, max - 1)}…` : text; }

/** The arguments a fresh form starts with: every default, nested objects only where they have something set. */
export function initialArguments(form: FormField & { kind: 'object' }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of form.fields) {
    const v = initialValue(f);
    if (v !== undefined) out[f.name] = v;
  }
  return out;
}

function initialValue(f: FormField): unknown {
  if (f.default !== undefined) return f.default;
  if (f.kind === 'object') {
    const v = initialArguments(f);
    return Object.keys(v).length || f.required ? v : undefined;
  }
  if (f.kind === 'array' && f.required) return [];
  return undefined;
}

// ---- validation --------------------------------------------------------------------------------------------------

const MAX_ERRORS = 50;

/**
 * Validates tool arguments against the tool's input schema: type (incl. integer and type lists), required, enum,
 * const, nested properties, additionalProperties: false, items, min/max, length, pattern, item counts; local
 * `$ref`s; anyOf/oneOf (at least one alternative must match). Unknown keywords are ignored (the server decides).
 */
export function validateArguments(inputSchema: unknown, args: unknown): ValidationError[] {
  const root = isObject(inputSchema) ? inputSchema : {};
  const errors: ValidationError[] = [];
  if (!isObject(args)) return [{ path: '', message: 'The arguments must be a JSON object.' }];
  check(root, args, '', root, errors, 0);
  return errors.slice(0, MAX_ERRORS);
}

function check(schemaIn: JsonSchema, value: unknown, path: string, root: JsonSchema, errors: ValidationError[], depth: number): void {
  if (depth > 32 || errors.length >= MAX_ERRORS) return;
  let schema = schemaIn;
  if (typeof schema['$ref'] === 'string') {
    const target = resolveRef(schema['$ref'], root);
    if (target) schema = { ...target, ...schema, $ref: undefined };
  }
  const err = (message: string) => { errors.push({ path, message }); };

  for (const key of ['anyOf', 'oneOf'] as const) {
    const alts = schema[key];
    if (Array.isArray(alts) && alts.length) {
      const ok = alts.some((a) => isObject(a) && (() => { const e: ValidationError[] = []; check(a, value, path, root, e, depth + 1); return e.length === 0; })());
      if (!ok) {
        // Report the errors of the closest alternative when there is only one non-null one (the common `T | null`).
        const nonNull = alts.filter((a): a is JsonSchema => isObject(a) && a['type'] !== 'null');
        if (nonNull.length === 1) check(nonNull[0], value, path, root, errors, depth + 1);
        else err('Does not match any of the allowed shapes.');
        return;
      }
    }
  }
  if (Array.isArray(schema['allOf'])) for (const s of schema['allOf']) if (isObject(s)) check(s, value, path, root, errors, depth + 1);

  if ('const' in schema && !deepEqual(schema['const'], value)) { err(`Must be ${JSON.stringify(schema['const'])}.`); return; }
  if (Array.isArray(schema['enum']) && !schema['enum'].some((e) => deepEqual(e, value))) {
    err(`Must be one of ${schema['enum'].slice(0, 10).map((e) => JSON.stringify(e)).join(', ')}${schema['enum'].length > 10 ? ', …' : ''}.`);
    return;
  }
  const types = typeList(schema);
  if (types && !types.some((t) => hasType(value, t))) { err(`Must be ${types.map(article).join(' or ')}.`); return; }

  if (typeof value === 'string') {
    const len = [...value].length;
    if (typeof schema['minLength'] === 'number' && len < schema['minLength']) err(`Must be at least ${schema['minLength']} characters.`);
    if (typeof schema['maxLength'] === 'number' && len > schema['maxLength']) err(`Must be at most ${schema['maxLength']} characters.`);
    if (typeof schema['pattern'] === 'string') {
      const re = safeRegExp(schema['pattern']);
      if (re && !re.test(value)) err(`Must match the pattern ${schema['pattern']}.`);
    }
  }
  if (typeof value === 'number') {
    if (typeof schema['minimum'] === 'number' && value < schema['minimum']) err(`Must be ≥ ${schema['minimum']}.`);
    if (typeof schema['maximum'] === 'number' && value > schema['maximum']) err(`Must be ≤ ${schema['maximum']}.`);
    if (typeof schema['exclusiveMinimum'] === 'number' && value <= schema['exclusiveMinimum']) err(`Must be > ${schema['exclusiveMinimum']}.`);
    if (typeof schema['exclusiveMaximum'] === 'number' && value >= schema['exclusiveMaximum']) err(`Must be < ${schema['exclusiveMaximum']}.`);
  }
  if (Array.isArray(value)) {
    if (typeof schema['minItems'] === 'number' && value.length < schema['minItems']) err(`Needs at least ${schema['minItems']} item(s).`);
    if (typeof schema['maxItems'] === 'number' && value.length > schema['maxItems']) err(`Allows at most ${schema['maxItems']} item(s).`);
    if (isObject(schema['items'])) value.forEach((item, i) => check(schema['items'] as JsonSchema, item, `${path}/${i}`, root, errors, depth + 1));
  }
  if (isObject(value)) {
    const props = isObject(schema['properties']) ? schema['properties'] : {};
    for (const name of requiredSet(schema)) if (!(name in value) || value[name] === undefined) errors.push({ path: `${path}/${escapePointer(name)}`, message: 'Required.' });
    for (const [key, v] of Object.entries(value)) {
      const prop = props[key];
      if (isObject(prop)) check(prop, v, `${path}/${escapePointer(key)}`, root, errors, depth + 1);
      else if (schema['additionalProperties'] === false) errors.push({ path: `${path}/${escapePointer(key)}`, message: `Unknown property '${key}'.` });
      else if (isObject(schema['additionalProperties'])) check(schema['additionalProperties'], v, `${path}/${escapePointer(key)}`, root, errors, depth + 1);
    }
  }
}

function typeList(schema: JsonSchema): string[] | undefined {
  const t = schema['type'];
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  return undefined;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string': return typeof value === 'string';
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'boolean': return typeof value === 'boolean';
    case 'object': return isObject(value);
    case 'array': return Array.isArray(value);
    case 'null': return value === null;
    default: return true;
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

function safeRegExp(pattern: string): RegExp | undefined {
  if (pattern.length > 1_000) return undefined;
  try { return new RegExp(pattern, 'u'); } catch { return undefined; }
}

export function escapePointer(segment: string): string { return segment.replace(/~/g, '~0').replace(/\//g, '~1'); }

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a); const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

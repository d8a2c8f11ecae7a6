/**
 * A tool's input JSON Schema as a form model (what the Call Tool webview renders). Pure: no VS Code. The arguments
 * are validated with ajv (./argumentValidation.ts, before every call and while the user types).
 *
 * Supported: string / number / integer / boolean, enum and const (a select; titled by `oneOf`/`anyOf` alternatives of
 * `{const, title}`, or by the legacy `enumNames`), nested objects, arrays (add/remove items; an array of enum items is
 * a multi-select), defaults, descriptions, required, nullable (`type: [T, "null"]`, `anyOf: [T, {type: null}]`), local
 * `$ref`s. A string field marked `secret` (or `format: "password"`) is typed into a password box.
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
  | FieldBase & {
      readonly kind: 'string'; readonly format?: string; readonly multiline: boolean; readonly minLength?: number; readonly maxLength?: number;
      readonly pattern?: string;
      /** Typed into a password box, never echoed (`format: "password"`, or a caller's decision: see common/elicitation.ts). */
      readonly secret?: boolean;
    }
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
  const options = enumOptions(schema);
  if (options) return { ...base, kind: 'enum', options };
  switch (primaryType(schema)) {
    case 'string': {
      const format = typeof schema['format'] === 'string' ? schema['format'] : undefined;
      return {
        ...base, kind: 'string', format, ...(format === 'password' ? { secret: true } : {}),
        // A formatted string (email, uri, date, password…) is one line; free text gets a box unless it is short.
        multiline: format === undefined && (typeof schema['maxLength'] !== 'number' || schema['maxLength'] > 200),
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

/**
 * The choices of an enum-like schema: `enum` (labelled by `enumNames` when it has one per value), `const`, or
 * `oneOf`/`anyOf` alternatives that are all `{const, title?}` (titled choices); undefined for anything else.
 */
function enumOptions(schema: JsonSchema): { readonly label: string; readonly value: unknown }[] | undefined {
  const label = (value: unknown, title?: unknown) => (typeof title === 'string' ? clip(title, MAX_LABEL_CHARS) : typeof value === 'string' ? value : JSON.stringify(value));
  if (Array.isArray(schema['enum'])) {
    const names = Array.isArray(schema['enumNames']) && schema['enumNames'].length === schema['enum'].length ? schema['enumNames'] as unknown[] : [];
    return (schema['enum'] as unknown[]).slice(0, MAX_ENUM_OPTIONS).map((value, i) => ({ label: label(value, names[i]), value }));
  }
  if ('const' in schema) return [{ label: label(schema['const']), value: schema['const'] }];
  for (const key of ['oneOf', 'anyOf'] as const) {
    const alts = schema[key];
    if (Array.isArray(alts) && alts.length > 0 && alts.every((a) => isObject(a) && 'const' in a)) {
      return (alts as JsonSchema[]).slice(0, MAX_ENUM_OPTIONS).map((a) => ({ label: label(a['const'], a['title']), value: a['const'] }));
    }
  }
  return undefined;
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

export function escapePointer(segment: string): string { return segment.replace(/~/g, '~0').replace(/\//g, '~1'); }

import * as assert from 'node:assert/strict';
import { type FormField, buildForm, initialArguments } from '../../../src/common/schemaForm';
import { validateToolArguments } from '../../../src/features/argumentValidator';

const validateArguments = async (schema: unknown, args: unknown) => (await validateToolArguments(schema, args)).errors;

const field = (form: FormField & { kind: 'object' }, name: string): FormField => {
  const f = form.fields.find((x) => x.name === name);
  assert.ok(f, `field ${name}`);
  return f;
};

describe('schemaForm: a tool input schema as a form', () => {
  const schema = {
    type: 'object',
    properties: {
      message: { type: 'string', description: 'Message to echo' },
      count: { type: 'integer', minimum: 1, maximum: 10, default: 3 },
      ratio: { type: 'number' },
      loud: { type: 'boolean', default: false },
      maybe: { type: 'boolean' },
      color: { type: 'string', enum: ['red', 'green'] },
      mode: { const: 'fast' },
      nested: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'number', default: 2 } }, required: ['a'] },
      tags: { type: 'array', items: { type: 'string' }, minItems: 1 },
      points: { type: 'array', items: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] } },
      anything: {},
      free: { type: 'object', additionalProperties: { type: 'string' } },
      nullableName: { type: ['string', 'null'] },
      viaAnyOf: { anyOf: [{ type: 'integer' }, { type: 'null' }], description: 'optional int' },
      ref: { $ref: '#/$defs/Point' },
    },
    required: ['message', 'tags'],
    $defs: { Point: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } } } },
  };
  const form = buildForm(schema);

  it('maps types, required flags, descriptions and defaults', () => {
    assert.equal(form.kind, 'object');
    const m = field(form, 'message');
    assert.equal(m.kind, 'string');
    assert.equal(m.required, true);
    assert.equal(m.description, 'Message to echo');
    const c = field(form, 'count');
    assert.ok(c.kind === 'integer' && c.minimum === 1 && c.maximum === 10);
    assert.equal(c.default, 3);
    assert.equal(field(form, 'ratio').kind, 'number');
    assert.equal(field(form, 'loud').kind, 'boolean');
    assert.equal(field(form, 'tags').required, true);
    assert.equal(field(form, 'ratio').required, false);
  });

  it('renders enum and const as a select', () => {
    const color = field(form, 'color');
    assert.ok(color.kind === 'enum');
    assert.deepEqual(color.options.map((o) => o.value), ['red', 'green']);
    const mode = field(form, 'mode');
    assert.ok(mode.kind === 'enum' && mode.options.length === 1 && mode.options[0].value === 'fast');
  });

  it('nests objects and arrays (with an item template), and resolves local $refs', () => {
    const nested = field(form, 'nested');
    assert.ok(nested.kind === 'object');
    assert.deepEqual(nested.fields.map((f) => [f.name, f.kind, f.required]), [['a', 'string', true], ['b', 'number', false]]);
    const tags = field(form, 'tags');
    assert.ok(tags.kind === 'array' && tags.item.kind === 'string' && tags.minItems === 1);
    const points = field(form, 'points');
    assert.ok(points.kind === 'array' && points.item.kind === 'object' && points.item.fields[0].name === 'x');
    const ref = field(form, 'ref');
    assert.ok(ref.kind === 'object' && ref.fields.length === 2);
  });

  it('unwraps nullable types and falls back to raw JSON for what a form cannot edit', () => {
    const n = field(form, 'nullableName');
    assert.ok(n.kind === 'string' && n.nullable);
    const a = field(form, 'viaAnyOf');
    assert.ok(a.kind === 'integer' && a.nullable && a.description === 'optional int');
    assert.equal(field(form, 'anything').kind, 'json');
    assert.equal(field(form, 'free').kind, 'json');
  });

  it('starts from the defaults (nested objects only when something is set)', () => {
    assert.deepEqual(initialArguments(form), { count: 3, loud: false, nested: { b: 2 }, tags: [] });
  });

  it('survives hostile or broken schemas', () => {
    assert.deepEqual(buildForm(undefined).fields, []);
    assert.deepEqual(buildForm({ type: 'object' }).fields, []);
    const cyclic = { type: 'object', properties: { self: { $ref: '#' } } };
    const f = buildForm(cyclic);
    assert.equal(f.fields[0].name, 'self'); // bounded, not a stack overflow
    const long = buildForm({ type: 'object', properties: { x: { type: 'string', description: 'd'.repeat(10_000) } } });
    assert.ok((long.fields[0].description ?? '').length <= 2_000);
    assert.deepEqual(buildForm({ type: 'array', items: { type: 'string' } }).fields, [], 'a non-object root: edited in the JSON mode');
  });
});

describe('schemaForm: validating arguments before they are sent', () => {
  const schema = {
    type: 'object',
    properties: {
      message: { type: 'string', minLength: 2, maxLength: 5, pattern: '^[a-z]+$' },
      n: { type: 'integer', minimum: 0, maximum: 9 },
      x: { type: 'number', exclusiveMinimum: 0 },
      flag: { type: 'boolean' },
      color: { enum: ['red', 'green'] },
      nested: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false },
      list: { type: 'array', items: { type: 'integer' }, minItems: 1, maxItems: 2 },
      maybe: { anyOf: [{ type: 'string' }, { type: 'null' }] },
      ref: { $ref: '#/definitions/P' },
    },
    required: ['message'],
    definitions: { P: { type: 'object', properties: { y: { type: 'number' } }, required: ['y'] } },
  };
  const v = async (args: unknown) => (await validateArguments(schema, args)).map((e) => `${e.path} ${e.message}`);

  it('accepts valid arguments', async () => {
    assert.deepEqual(await v({ message: 'abc', n: 3, x: 0.5, flag: true, color: 'red', nested: { a: '' }, list: [1, 2], maybe: null, ref: { y: 1 } }), []);
    assert.deepEqual(await v({ message: 'ab', maybe: 'text' }), []);
  });

  it('reports required, type, enum and range errors at their JSON pointer', async () => {
    assert.deepEqual(await v({}), ['/message Required.']);
    assert.deepEqual(await v({ message: 'abc', n: 1.5 }), ['/n Must be an integer.']);
    assert.deepEqual(await v({ message: 'abc', n: '3' }), ['/n Must be an integer.']);
    assert.deepEqual(await v({ message: 'abc', n: 10 }), ['/n Must be ≤ 9.']);
    assert.deepEqual(await v({ message: 'abc', x: 0 }), ['/x Must be > 0.']);
    assert.deepEqual(await v({ message: 'abc', flag: 'yes' }), ['/flag Must be a boolean.']);
    assert.deepEqual(await v({ message: 'abc', color: 'blue' }), ['/color Must be one of "red", "green".']);
  });

  it('checks strings: length and pattern', async () => {
    assert.deepEqual(await v({ message: 'a' }), ['/message Must be at least 2 characters.']);
    assert.deepEqual(await v({ message: 'abcdef' }), ['/message Must be at most 5 characters.']);
    assert.deepEqual(await v({ message: 'AB' }), ['/message Must match the pattern ^[a-z]+$.']);
  });

  it('checks nested objects, arrays and $refs', async () => {
    assert.deepEqual(await v({ message: 'ab', nested: {} }), ['/nested/a Required.']);
    assert.deepEqual(await v({ message: 'ab', nested: { a: 'x', b: 1 } }), ["/nested/b Unknown property 'b'."]);
    assert.deepEqual(await v({ message: 'ab', list: [] }), ['/list Needs at least 1 item(s).']);
    assert.deepEqual(await v({ message: 'ab', list: [1, 'x'] }), ['/list/1 Must be an integer.']);
    assert.deepEqual(await v({ message: 'ab', list: [1, 2, 3] }), ['/list Allows at most 2 item(s).']);
    assert.deepEqual(await v({ message: 'ab', ref: {} }), ['/ref/y Required.']);
    assert.deepEqual(await v({ message: 'ab', maybe: 3 }), ['/maybe Must be a string.']);
  });

  it('requires an object at the root and tolerates a missing or odd schema', async () => {
    assert.deepEqual(await v([]), [' The arguments must be a JSON object.']);
    assert.deepEqual(await validateArguments(undefined, { anything: 1 }), []);
    assert.deepEqual(await validateArguments({ type: 'object', properties: { p: { type: 'string', pattern: '(' } } }, { p: 'x' }), [], 'an invalid pattern is ignored');
  });

  it('escapes JSON pointer segments', async () => {
    const errs = await validateArguments({ type: 'object', properties: { 'a/b': { type: 'string' } } }, { 'a/b': 1 });
    assert.equal(errs[0].path, '/a~1b');
  });
});

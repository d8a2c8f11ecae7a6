/**
 * Tool arguments validated with ajv (src/common/argumentValidation.ts), and the schema's regexes evaluated off the
 * extension host's thread (src/features/argumentValidator.ts; review M5, proof P16).
 */
import * as assert from 'node:assert/strict';
import { buildForm, initialArguments } from '../../../src/common/schemaForm';
import { evaluatePatternsInWorker, validateToolArguments } from '../../../src/features/argumentValidator';

const v = async (schema: unknown, args: unknown) => (await validateToolArguments(schema, args)).errors.map((e) => `${e.path} ${e.message}`);

/** Runs `fn` while recording the source of every RegExp built by the constructor, or run, on this thread. */
async function recordingRegExps<T>(fn: () => Promise<T>): Promise<{ result: T; sources: Set<string> }> {
  const sources = new Set<string>();
  const Original = RegExp;
  const proto = Original.prototype;
  const exec = Object.getOwnPropertyDescriptor(proto, 'exec')?.value as (this: RegExp, s: string) => RegExpExecArray | null;
  const test = Object.getOwnPropertyDescriptor(proto, 'test')?.value as (this: RegExp, s: string) => boolean;
  const record = (p: unknown) => { sources.add(p instanceof Original ? p.source : String(p)); };
  globalThis.RegExp = new Proxy(Original, {
    construct(target, args: [string | RegExp, string?], newTarget) { record(args[0]); return Reflect.construct(target, args, newTarget) as object; },
    apply(target, self, args: [string | RegExp, string?]) { record(args[0]); return Reflect.apply<unknown, [string | RegExp, string?], RegExp>(target, self, args); },
  });
  Original.prototype.exec = function (this: RegExp, s: string) { record(this); return exec.call(this, s); };
  Original.prototype.test = function (this: RegExp, s: string) { record(this); return test.call(this, s); };
  try {
    return { result: await fn(), sources };
  } finally {
    globalThis.RegExp = Original;
    Original.prototype.exec = exec;
    Original.prototype.test = test;
  }
}

describe('Argument validation: no server regex on the extension host (review M5)', function () {
  this.timeout(20_000);
  const BOMB = '^(a+)+$';
  const bombSchema = (length: number) => ({ type: 'object', properties: { q: { type: 'string', pattern: BOMB, default: `${'a'.repeat(length)}!` } } });

  it('P16: the server default a…a! never meets ^(a+)+$ on this thread (the old validator ran it here: ~1 s at 27 chars)', async () => {
    const schema = bombSchema(27);
    const args = initialArguments(buildForm(schema));
    const { result, sources } = await recordingRegExps(() => validateToolArguments(schema, args, evaluatePatternsInWorker(200)));
    assert.ok(!sources.has(BOMB), 'the server pattern was built or run on the host thread');
    assert.deepEqual(result.errors, [], 'an unanswered pattern blocks nothing (the server validates)');
    assert.match(result.note ?? '', /A pattern of the schema could not be checked here/);
  });

  it('a 40-char input (hours of backtracking) returns at all, and the host loop keeps turning meanwhile', async () => {
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 5);
    try {
      const schema = bombSchema(40);
      const outcome = await validateToolArguments(schema, initialArguments(buildForm(schema)), evaluatePatternsInWorker(300));
      assert.deepEqual(outcome.errors, []);
      assert.ok(outcome.note);
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks > 0, 'timers ran while the worker was busy');
  });

  it('the worker answers in order, invalid patterns as undefined, and what it did not reach in time as undefined', async () => {
    const answers = await evaluatePatternsInWorker(2_000)([
      { pattern: '^a$', text: 'a' }, { pattern: '^a$', text: 'b' }, { pattern: '(', text: 'x' },
      { pattern: BOMB, text: `${'a'.repeat(40)}!` }, { pattern: '^c$', text: 'c' },
    ]);
    assert.deepEqual(answers, [true, false, undefined, undefined, undefined]);
  });

  it('patterns still decide: pattern, patternProperties with additionalProperties: false, propertyNames', async () => {
    const schema = {
      type: 'object',
      properties: { id: { type: 'string', pattern: '^[a-z]+$' } },
      patternProperties: { '^x-': { type: 'string' } },
      additionalProperties: false,
    };
    assert.deepEqual(await v(schema, { id: 'abc', 'x-a': 'ok' }), []);
    assert.deepEqual(await v(schema, { id: 'A1', 'x-a': 1, b: 2 }), ["/b Unknown property 'b'.", '/id Must match the pattern ^[a-z]+$.', '/x-a Must be a string.']);
    const names = { type: 'object', propertyNames: { pattern: '^[a-z]+$' } };
    assert.deepEqual(await v(names, { ok: 1, Bad: 2 }), [" Property name 'Bad': Must match the pattern ^[a-z]+$."]);
  });
});

describe('Argument validation: JSON Schema as servers send it', function () {
  this.timeout(20_000);

  it('$ref / $defs (and draft-07 definitions), nested', async () => {
    const schema = {
      type: 'object',
      properties: { at: { $ref: '#/$defs/Point' }, path: { type: 'array', items: { $ref: '#/$defs/Point' } } },
      $defs: { Point: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } }, required: ['x', 'y'] } },
    };
    assert.deepEqual(await v(schema, { at: { x: 1, y: 2 }, path: [{ x: 0, y: 0 }] }), []);
    assert.deepEqual(await v(schema, { at: { x: 1 }, path: [{ x: 0, y: 'n' }] }), ['/at/y Required.', '/path/0/y Must be a number.']);
  });

  it('oneOf / anyOf: T | null reports T\'s errors; several shapes say none matched; oneOf says when more than one did', async () => {
    const schema = {
      type: 'object',
      properties: {
        maybe: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] },
        shape: { oneOf: [{ type: 'string' }, { type: 'object', properties: { r: { type: 'number' } }, required: ['r'] }] },
        num: { oneOf: [{ type: 'number' }, { type: 'integer' }] },
      },
    };
    assert.deepEqual(await v(schema, { maybe: null, shape: 'circle', num: 1.5 }), []);
    assert.deepEqual(await v(schema, { maybe: 0 }), ['/maybe Must be ≥ 1.']);
    assert.deepEqual(await v(schema, { shape: 3 }), ['/shape Does not match any of the allowed shapes.']);
    assert.deepEqual(await v(schema, { num: 2 }), ['/num Matches more than one of the allowed shapes.']);
  });

  it('const, enum, min/max (inclusive and exclusive), lengths in characters, required', async () => {
    const schema = {
      type: 'object',
      properties: {
        kind: { const: 'fast' }, color: { enum: ['red', 'green', null] },
        n: { type: 'number', minimum: 0, exclusiveMaximum: 10 }, s: { type: 'string', minLength: 2, maxLength: 3 },
      },
      required: ['kind', 'n'],
    };
    assert.deepEqual(await v(schema, { kind: 'fast', n: 0, s: '😀😀', color: null }), []);
    assert.deepEqual(await v(schema, {}), ['/kind Required.', '/n Required.']);
    assert.deepEqual(await v(schema, { kind: 'slow', n: 10, s: 'abcd', color: 'blue' }),
      ['/kind Must be "fast".', '/color Must be one of "red", "green", null.', '/n Must be < 10.', '/s Must be at most 3 characters.']);
    assert.deepEqual(await v(schema, { kind: 'fast', n: -1 }), ['/n Must be ≥ 0.']);
  });

  it('additionalProperties: false and nested arrays report at the exact pointer', async () => {
    const schema = {
      type: 'object',
      properties: { grid: { type: 'array', items: { type: 'array', items: { type: 'integer' }, maxItems: 2 } }, opts: { type: 'object', properties: { a: {} }, additionalProperties: false } },
      additionalProperties: false,
    };
    assert.deepEqual(await v(schema, { grid: [[1, 2], [3]], opts: { a: 1 } }), []);
    assert.deepEqual(await v(schema, { grid: [[1, 'x'], [1, 2, 3]], opts: { a: 1, 'b/c': 2 }, extra: true }),
      ["/extra Unknown property 'extra'.", '/grid/0/1 Must be an integer.', '/grid/1 Allows at most 2 item(s).', "/opts/b~1c Unknown property 'b/c'."]);
  });

  it('reads $schema: 2020-12 by default, draft-07 when named (tuple items), an unknown one as 2020-12', async () => {
    const tuple2020 = { type: 'object', properties: { t: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] } } };
    assert.deepEqual(await v(tuple2020, { t: ['a', 'b'] }), ['/t/1 Must be a number.']);
    const tuple07 = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { t: { type: 'array', items: [{ type: 'string' }, { type: 'number' }] } } };
    assert.deepEqual(await v(tuple07, { t: ['a', 'b'] }), ['/t/1 Must be a number.']);
    const unknown = { $schema: 'https://example.com/my-dialect', type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };
    const outcome = await validateToolArguments(unknown, { n: 'x' });
    assert.deepEqual(outcome.errors.map((e) => `${e.path} ${e.message}`), ['/n Must be an integer.']);
    assert.equal(outcome.note, undefined);
  });

  it('a schema ajv cannot compile: a clear note, nothing blocked, and the form still edits the arguments', async () => {
    for (const schema of [
      { type: 'object', properties: { a: { type: 'strin' } } },
      { type: 'object', properties: { a: { $ref: '#/$defs/Missing' } } },
    ]) {
      const outcome = await validateToolArguments(schema, { a: 1 });
      assert.deepEqual(outcome.errors, [], JSON.stringify(schema));
      assert.match(outcome.note ?? '', /^The tool's input schema cannot be checked here \(.+\); the server checks the arguments\.$/);
      const form = buildForm(schema);
      assert.equal(form.fields[0].name, 'a');
    }
  });

  it('keeps format as an annotation (2020-12\'s default): no format is asserted', async () => {
    assert.deepEqual(await v({ type: 'object', properties: { at: { type: 'string', format: 'date-time' } } }, { at: 'not a date' }), []);
  });
});

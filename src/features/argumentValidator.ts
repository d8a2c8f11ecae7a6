/**
 * Tool arguments validated the way every entry point does it (the Call Tool form, every call): ajv from the SDK's
 * bundle (loaded at first use), and the schema's regexes evaluated in a worker thread with a time budget, so a
 * pathological `pattern` costs that worker its budget, never the extension host's thread (review M5).
 */
import { Worker } from 'node:worker_threads';
import { type EvaluatePatterns, type PatternQuery, type ValidationOutcome, validateArguments } from '../common/argumentValidation';
import { type FormElicitation, contentProblems } from '../common/elicitation';
import { errorMessage } from '../common/errors';
import { loadSdk } from '../sdkLoader';

/** Wall-clock budget for the regexes of one validation round, worker start included. */
export const PATTERN_BUDGET_MS = 1_000;
/** Answers kept from earlier validations (typing in one field re-asks the others' unchanged questions). */
const MAX_CACHED_ANSWERS = 500;

/**
 * The worker: answers each query in order, one message per answer, so the answers given before the budget ran out
 * survive the termination. Invalid patterns answer null. Plain script (no bundle, no imports but worker_threads).
 */
const WORKER_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
workerData.forEach((q, i) => {
  let r = null;
  try { r = new RegExp(q.pattern, 'u').test(q.text); } catch {}
  parentPort.postMessage([i, r]);
});
`;

const cache = new Map<string, boolean | undefined>();
const cacheKey = (q: PatternQuery) => `${q.pattern.length}:${q.pattern}\u0000${q.text}`;

/**
 * Evaluates the queries in a fresh worker (the extension host's thread only waits), ending it when `budgetMs` runs out;
 * queries it did not answer by then stay undefined. Earlier answers come from a small cache.
 */
export function evaluatePatternsInWorker(budgetMs = PATTERN_BUDGET_MS): EvaluatePatterns {
  return async (queries) => {
    const results: (boolean | undefined)[] = queries.map((q) => cache.get(cacheKey(q)));
    const todo = queries.map((q, i) => ({ q, i })).filter(({ q }) => !cache.has(cacheKey(q)));
    if (todo.length === 0) return results;
    await new Promise<void>((resolve) => {
      let answered = 0;
      let done = false;
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: todo.map(({ q }) => q), resourceLimits: { maxOldGenerationSizeMb: 64 } });
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        void worker.terminate();
        resolve();
      };
      const timer = setTimeout(finish, budgetMs);
      worker.on('message', ([n, r]: [number, boolean | null]) => {
        const { q, i } = todo[n];
        results[i] = r ?? undefined;
        remember(cacheKey(q), r ?? undefined);
        if (++answered === todo.length) finish();
      });
      worker.on('error', finish);
      worker.on('exit', finish);
      worker.unref();
    });
    return results;
  };
}

function remember(key: string, value: boolean | undefined): void {
  if (cache.size >= MAX_CACHED_ANSWERS) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
}

/** Validates tool arguments against the tool's input schema (see src/common/argumentValidation.ts). */
export async function validateToolArguments(inputSchema: unknown, args: unknown, evaluate: EvaluatePatterns = evaluatePatternsInWorker()): Promise<ValidationOutcome> {
  let sdk;
  try {
    sdk = await loadSdk();
  } catch (err) {
    return { errors: [], note: `The arguments cannot be checked here (${errorMessage(err)}).` };
  }
  return validateArguments(sdk, inputSchema, args, evaluate);
}

/** Validates an elicitation's accepted content: the same ajv check as tool arguments, plus formats and shape (contentProblems). */
export async function validateElicitationContent(request: FormElicitation, content: unknown, evaluate?: EvaluatePatterns): Promise<ValidationOutcome> {
  const outcome = await validateToolArguments(request.requestedSchema, content, evaluate);
  return { ...outcome, errors: [...outcome.errors, ...contentProblems(request, content)] };
}

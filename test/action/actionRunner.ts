/**
 * Runs a composite action's steps the way a GitHub runner does, as far as this project's
 * action.yml needs: the inputs' defaults under the values given in `with:`, the expressions
 * `${{ inputs.NAME }}`, `${{ github.action_path }}` and `${{ github.workspace }}` substituted
 * into `run:`, `env:` and `working-directory:` (any other expression fails the run: it would
 * be an untested path), `shell: bash` as `bash --noprofile --norc -eo pipefail FILE`, and the
 * variables a runner sets (GITHUB_ACTION_PATH, GITHUB_WORKSPACE, GITHUB_OUTPUT, RUNNER_TEMP).
 * `uses:` steps are not run; the caller says which ones it accepts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';

export interface ActionInput {
  description?: string;
  default?: string;
  required?: boolean;
}

export interface ActionStep {
  id?: string;
  name?: string;
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
  shell?: string;
  env?: Record<string, unknown>;
  'working-directory'?: string;
}

export interface ActionManifest {
  name: string;
  inputs: Record<string, ActionInput>;
  outputs?: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export interface StepRun {
  step: ActionStep;
  code: number;
  stdout: string;
  stderr: string;
}

export interface ActionRun {
  /** The first failing step's code, else 0 (a runner stops at the first failure). */
  code: number;
  steps: StepRun[];
  /** What the steps wrote to GITHUB_OUTPUT, by step id. */
  outputs: Record<string, Record<string, string>>;
  /** The `uses:` steps, skipped. */
  skipped: string[];
}

export interface RunOptions {
  actionPath: string;
  workspace: string;
  /** The `with:` of the step that uses the action. */
  with?: Record<string, unknown>;
  /** Put before PATH (stub commands). */
  pathPrefix?: string[];
  env?: Record<string, string>;
}

export function readAction(file: string): ActionManifest {
  return yaml.load(readFileSync(file, 'utf8')) as ActionManifest;
}

/** A runner turns every `with:` value into a string (YAML true → "true"). */
export function inputValues(action: ActionManifest, given: Record<string, unknown> = {}): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, input] of Object.entries(action.inputs ?? {})) values[name] = input.default ?? '';
  for (const [name, value] of Object.entries(given)) {
    if (!(name in values)) throw new Error(`the action has no input '${name}' (it has ${Object.keys(values).join(', ')})`);
    values[name] = String(value);
  }
  for (const [name, input] of Object.entries(action.inputs ?? {})) {
    if (input.required && values[name] === '') throw new Error(`input '${name}' is required`);
  }
  return values;
}

export function substitute(text: string, context: { inputs: Record<string, string>; actionPath: string; workspace: string }): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_match, expression: string) => {
    const input = /^inputs\.([A-Za-z0-9_-]+)$/.exec(expression);
    if (input) {
      if (!(input[1]! in context.inputs)) throw new Error(`\${{ ${expression} }}: no such input`);
      return context.inputs[input[1]!]!;
    }
    if (expression === 'github.action_path') return context.actionPath;
    if (expression === 'github.workspace') return context.workspace;
    throw new Error(`the test runner does not evaluate \${{ ${expression} }}`);
  });
}

export async function runAction(action: ActionManifest, options: RunOptions): Promise<ActionRun> {
  if (action.runs.using !== 'composite') throw new Error(`not a composite action: ${action.runs.using}`);
  const inputs = inputValues(action, options.with);
  const context = { inputs, actionPath: options.actionPath, workspace: options.workspace };
  const temp = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-runner-'));
  const run: ActionRun = { code: 0, steps: [], outputs: {}, skipped: [] };
  try {
    for (const [i, step] of action.runs.steps.entries()) {
      if (step.uses) {
        run.skipped.push(step.uses);
        continue;
      }
      if (step.shell !== 'bash') throw new Error(`step ${step.name ?? i}: shell ${step.shell} (the test runs bash steps only)`);
      const script = path.join(temp, `step-${i}.sh`);
      writeFileSync(script, substitute(step.run ?? '', context));
      const outputFile = path.join(temp, `output-${i}`);
      writeFileSync(outputFile, '');
      const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([key, value]) => [key, substitute(String(value), context)]));
      const env = {
        PATH: [...(options.pathPrefix ?? []), process.env.PATH ?? ''].join(path.delimiter),
        HOME: process.env.HOME ?? os.homedir(),
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_ACTION_PATH: options.actionPath,
        GITHUB_WORKSPACE: options.workspace,
        GITHUB_OUTPUT: outputFile,
        RUNNER_TEMP: temp,
        ...options.env,
        ...stepEnv,
      };
      const cwd = step['working-directory'] ? path.resolve(options.workspace, substitute(step['working-directory'], context)) : options.workspace;
      const result = await bash(script, cwd, env);
      run.steps.push({ step, ...result });
      if (step.id) run.outputs[step.id] = parseOutputs(readFileSync(outputFile, 'utf8'));
      if (result.code !== 0) {
        run.code = result.code;
        break;
      }
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return run;
}

function bash(script: string, cwd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** `name=value` lines (the heredoc form `name<<EOF` is not used by this action). */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return outputs;
}

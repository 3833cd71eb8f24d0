/**
 * The command line, end to end: arguments → input files → the engine's stages → one output on
 * stdout, messages on stderr, and the exit code of CONTRACT.md §6. Takes its I/O as a parameter
 * so that it can also run inside a test process.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { AttestationVerifier } from '../verify/index';
import { createEngine, type Engine, type EngineHost } from '../pipeline/engine';
import { defaultCacheDirectory } from '../resolution/cacheDirectory';
import { errorText, type Logger } from '../pipeline/contract/logger';
import { parseCommandLine, UsageError, type CheckCommand } from './args';
import { checkDocuments, readInputs } from './check';
import { discoverInputs } from './discover';
import { renderJson } from './output/json';
import { renderSarif } from './output/sarif';
import { outputWidth } from './output/layout';
import { useColour } from './output/style';
import { renderText } from './output/text';
import { progressLine } from './progress';
import { EXIT_OK, EXIT_USAGE, exitCodeOf, tally } from './summary';
import { checkHelp, MAIN_HELP } from './usage';

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  version: string;
  /** The engine to check with; the default is the one the language server runs. */
  createEngine?: (host: EngineHost) => Engine;
}

const NAME = 'pypi-provenance';

/** Runs the command line and answers the exit code; never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let command;
  try {
    command = parseCommandLine(argv, io.cwd);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`${NAME}: ${error.message}\nRun \`${NAME} check --help\` for usage.\n`);
    return EXIT_USAGE;
  }
  switch (command.kind) {
    case 'help':
      io.stdout.write(command.topic === 'check' ? checkHelp() : MAIN_HELP);
      return EXIT_OK;
    case 'version':
      io.stdout.write(`${io.version}\n`);
      return EXIT_OK;
    case 'check':
      return check(command, io);
  }
}

async function check(command: CheckCommand, io: CliIo): Promise<number> {
  const usage = (messages: string[]): number => {
    for (const message of messages) io.stderr.write(`${NAME}: ${message}\n`);
    return EXIT_USAGE;
  };
  const { trustedRoot } = command.settings;
  if (trustedRoot !== '') {
    const problem = trustedRootProblem(trustedRoot);
    if (problem) return usage([`--trusted-root ${trustedRoot}: ${problem}`]);
  }

  const discovery = await discoverInputs(command.inputs, io.cwd);
  if (discovery.errors.length > 0) return usage(discovery.errors);
  const { read, errors } = await readInputs(discovery.files);
  if (errors.length > 0) return usage(errors);

  let progress: ReturnType<typeof progressLine> | undefined;
  const logger = stderrLogger(io.stderr, () => progress?.clear());
  const engine = (io.createEngine ?? createEngine)({ env: io.env, logger, defaultCacheDirectory: cacheDirectoryFor(io.env) });
  progress = progressLine(io.stderr, { files: read.length, phases: engine.dependencyPhases?.bind(engine) });
  try {
    const run = await checkDocuments(read, { engine, settings: command.settings, cwd: io.cwd, env: io.env, onDocument: progress.document });
    progress.stop();
    for (const document of run.documents) {
      for (const failure of document.failures) {
        io.stderr.write(`${NAME}: internal error: the '${failure.stage}' check failed on ${document.displayPath}: ${firstLine(failure.error)}\n`);
      }
    }
    switch (command.format) {
      case 'json':
        io.stdout.write(renderJson(run, { toolVersion: io.version, strict: command.strict }));
        break;
      case 'sarif':
        io.stdout.write(renderSarif(run, io.version));
        break;
      case 'text':
        io.stdout.write(renderText(run, { colour: useColour(io.stdout, io.env, command.color), width: outputWidth(io.stdout, io.env) }));
        break;
    }
    return exitCodeOf(tally(run), command.strict);
  } finally {
    progress.stop();
    await engine.dispose().catch((error) => logger.warn(`Closing the engine failed: ${firstLine(error)}`));
  }
}

/** The OS cache directory (as pip keeps its cache); none when the home directory is unknown. */
function cacheDirectoryFor(env: Readonly<Record<string, string | undefined>>): string | undefined {
  try {
    return defaultCacheDirectory(env);
  } catch {
    return undefined;
  }
}

function stderrLogger(stderr: OutputStream, beforeWrite: () => void): Logger {
  const write = (level: string, message: string) => {
    beforeWrite();
    stderr.write(`${NAME}: ${level}: ${message}\n`);
  };
  return {
    error: (message) => write('error', message),
    warn: (message) => write('warning', message),
    // Stages' information is for the editor's log; the CLI's output says what matters.
    info: () => undefined,
  };
}

/** Why a --trusted-root file cannot be used (bad input: exit 2), or undefined when it can. */
function trustedRootProblem(filePath: string): string | undefined {
  if (!isReadableFile(filePath)) return 'cannot be read';
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(filePath, 'utf8'));
  } catch {
    return 'is not JSON';
  }
  try {
    AttestationVerifier.fromTrustedRoot(json);
    return undefined;
  } catch (error) {
    return `is not a usable Sigstore trusted root: ${firstLine(error)}`;
  }
}

function isReadableFile(filePath: string): boolean {
  try {
    if (!statSync(filePath).isFile()) return false;
    accessSync(filePath, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function firstLine(error: unknown): string {
  return errorText(error).split('\n')[0];
}

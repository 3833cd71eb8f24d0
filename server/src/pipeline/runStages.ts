/**
 * One document through the FindingStages outside the language server (the CLI, the report of a
 * file that is not open): every stage is started in order over the same parsed document, as
 * lsp/documentAnalyses.ts starts them, and all are awaited. The findings are the stages' slots
 * put together in stage order, which is what the server publishes once every stage settled.
 *
 * Like the server: a stage that throws or rejects keeps the findings it last `update`d (none if
 * it never did) and is reported in `failures`; the other stages' findings stand.
 */
import type { Finding } from '../core/finding';
import type { DocumentFormat, ParsedDocument } from '../core/model';
import type { Settings } from './contract/settings';
import type { FindingStage, StageInput } from './contract/stages';

export interface StageRunInput {
  uri: string;
  format: DocumentFormat;
  text: string;
  parsed: ParsedDocument;
  settings: Readonly<Settings>;
  /** Stages see it as StageInput.version; outside an editor there is one version (default 1). */
  version?: number;
  /** Passed to the stages; aborting it asks them to stop (their findings so far are kept). */
  signal?: AbortSignal;
  /** Told whenever a stage `update`s its findings before it settles (progress displays). */
  onUpdate?: (stage: string, findings: readonly Finding[]) => void;
}

export interface StageFailure {
  stage: string;
  error: unknown;
}

export interface StageRun {
  /** All findings, stage by stage in stage order. */
  findings: Finding[];
  findingsByStage: Map<string, readonly Finding[]>;
  /** Stages that threw, rejected or answered something that is not a list of findings. */
  failures: StageFailure[];
}

export async function runStages(input: StageRunInput, stages: readonly FindingStage[]): Promise<StageRun> {
  const findingsByStage = new Map<string, readonly Finding[]>();
  const failures: StageFailure[] = [];
  const signal = input.signal ?? new AbortController().signal;
  const settled = new Set<string>();

  const running = stages.map((stage) => {
    findingsByStage.set(stage.name, []);
    const stageInput: StageInput = {
      uri: input.uri,
      version: input.version ?? 1,
      format: input.format,
      text: input.text,
      parsed: input.parsed,
      settings: input.settings,
      signal,
      update: (findings) => {
        // As in the server: an update after the stage settled belongs to nothing.
        if (settled.has(stage.name) || !Array.isArray(findings)) return;
        findingsByStage.set(stage.name, findings);
        input.onUpdate?.(stage.name, findings);
      },
    };
    const finish = (result: unknown): void => {
      settled.add(stage.name);
      if (Array.isArray(result)) findingsByStage.set(stage.name, result as Finding[]);
      else failures.push({ stage: stage.name, error: new Error(`stage '${stage.name}' answered no list of findings`) });
    };
    const fail = (error: unknown): void => {
      settled.add(stage.name);
      failures.push({ stage: stage.name, error });
    };
    let result: Finding[] | Promise<Finding[]>;
    try {
      result = stage.run(stageInput);
    } catch (error) {
      fail(error);
      return undefined;
    }
    if (Array.isArray(result)) {
      finish(result);
      return undefined;
    }
    return Promise.resolve(result).then(finish, fail);
  });
  await Promise.all(running);

  // Stage order, not settle order, so the output does not depend on timing.
  const findings = stages.flatMap((stage) => findingsByStage.get(stage.name) ?? []);
  failures.sort((a, b) => stages.findIndex((s) => s.name === a.stage) - stages.findIndex((s) => s.name === b.stage));
  return { findings, findingsByStage, failures };
}

/**
 * Faults on demand, so the LSP tests can show that a failing handler or stage is logged and the
 * server carries on. Only present when the server starts with PYPI_PROVENANCE_TEST_FAULTS=1.
 */
import type { FindingStage } from './contract/stages';

export const TEST_FAULTS_ENV = 'PYPI_PROVENANCE_TEST_FAULTS';

/** Requests and notifications with these methods throw inside their handler. */
export const THROW_METHOD = 'pypiProvenance/test/throw';
/** Throws from a timer, outside any handler: the process-wide safety net must catch it. */
export const THROW_UNCAUGHT_METHOD = 'pypiProvenance/test/throwUncaught';

/** A document containing one of these makes the fault stage throw, or reject. */
export const STAGE_THROW_MARKER = 'pypi-provenance-test-fault:throw';
export const STAGE_REJECT_MARKER = 'pypi-provenance-test-fault:reject';

export const faultStage: FindingStage = {
  name: 'test-faults',
  run: ({ text }) => {
    if (text.includes(STAGE_THROW_MARKER)) throw new Error('test fault: stage threw');
    if (text.includes(STAGE_REJECT_MARKER)) return Promise.reject(new Error('test fault: stage rejected'));
    return [];
  },
};

export function testFaultsEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  return env[TEST_FAULTS_ENV] === '1';
}

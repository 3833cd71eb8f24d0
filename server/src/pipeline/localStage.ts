/** The local checks (no network) as the first, synchronous stage: part of the publish on open. */
import { localFindings } from '../checks/local';
import type { FindingStage } from './contract/stages';

export const localStage: FindingStage = {
  name: 'local',
  local: true,
  run: ({ parsed }) => localFindings(parsed),
};

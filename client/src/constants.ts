/** Names shared by the client's modules; the `pypiProvenance.*` ones are package.json's too. */
export const EXTENSION_NAME = 'PyPI Provenance';
export const CLIENT_ID = 'pypiProvenance';
export const SETTINGS_SECTION = 'pypiProvenance';
export const DIAGNOSTIC_SOURCE = 'pypi-provenance';
export const REQUIREMENTS_LANGUAGE_ID = 'pip-requirements';

export const Commands = {
  verifyWorkspace: 'pypiProvenance.verifyWorkspace',
  showReport: 'pypiProvenance.showReport',
  clearCache: 'pypiProvenance.clearCache',
  showOutput: 'pypiProvenance.showOutput',
  forgetTrustedPublishers: 'pypiProvenance.forgetTrustedPublishers',
  forgetReleaseFileSets: 'pypiProvenance.forgetReleaseFileSets',
  /** Run by the server's accept-publisher code action: asks the user, then calls ServerCommands.acceptPublisher. */
  confirmAcceptPublisher: 'pypiProvenance.confirmAcceptPublisher',
} as const;

/** Commands the server executes (workspace/executeCommand). */
export const ServerCommands = {
  acceptPublisher: 'pypiProvenance.acceptPublisher',
} as const;

/** Registered only in Test mode (the extension-host suite): not contributed, not in the palette. */
export const TestCommands = {
  report: 'pypiProvenance.test.report',
  reportMessage: 'pypiProvenance.test.reportMessage',
  reviveReport: 'pypiProvenance.test.reviveReport',
  statusBar: 'pypiProvenance.test.statusBar',
  /** Queues answers for the next modal dialogs and returns the ones shown since (a test cannot click a modal). */
  answerModals: 'pypiProvenance.test.answerModals',
} as const;

/** Custom requests of the server (CONTRACT.md §5, and the cache). */
export const Requests = {
  report: 'pypiProvenance/report',
  clearCache: 'pypiProvenance/clearCache',
  trustMemory: 'pypiProvenance/trustMemory',
  forgetTrustMemory: 'pypiProvenance/forgetTrustMemory',
} as const;

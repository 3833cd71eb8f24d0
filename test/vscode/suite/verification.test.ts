/**
 * Slots for the tests that need resolution and verification (issues 3 and 4). Each becomes a
 * real test once the server answers them; the runner will start the project's test index
 * (test/support/indexServer.ts) and point `pypiProvenance.indexUrl` at it.
 */
suite('Verification (pending the index and verification stages)', () => {
  // Open a requirements file pinning a release whose files carry valid attestations on the test
  // index; wait for the first diagnostic (a hover asked before activation is not retried), then
  // vscode.executeHoverProvider at the name: the card shows the publisher repository and workflow.
  test('hover on a verified dependency shows the publisher repository and workflow');

  // On `name==version` without --hash: vscode.executeCodeActionProvider returns "Add hash pins"
  // (quickfix); apply its edit; the file then has one --hash per index file, sorted, and no
  // missing-hashes diagnostic.
  test('Add hash pins applies, and the file then passes the hash-mode check');

  // A second run with security.workspace.trust.enabled on and the folder untrusted, a
  // requirements file naming `-i http://127.0.0.1:PORT/` of a counting server: no request reaches it.
  test('restricted mode contacts no index named by the workspace');
});

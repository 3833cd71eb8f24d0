/**
 * No regex in the server can be driven into super-linear backtracking by a document: every
 * source file under server/src goes through eslint-plugin-regexp's backtracking rules, and any
 * finding fails the suite (a pylock line with 200,000 trailing spaces once blocked the server
 * for 22 s in one such regex). Only these rules run: this is a safety check, not a style lint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import regexp from 'eslint-plugin-regexp';

// Loaded with require: its package exports need a module resolution the test tsconfig does not use.
const tsParser = require('@typescript-eslint/parser') as Linter.Parser;

const root = path.resolve(__dirname, '../..');

test('no regex under server/src can backtrack super-linearly', async () => {
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tsParser },
        // The sources' own eslint comments name rules that are not loaded here; none may switch these off.
        linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
        plugins: { regexp },
        rules: {
          // Backtracking within one match attempt (nested or adjacent quantifiers).
          'regexp/no-super-linear-backtracking': 'error',
          // Backtracking across start positions of an unanchored search over long text.
          'regexp/no-super-linear-move': ['error', { ignoreSticky: true, report: 'certain' }],
        },
      },
    ],
  });
  const results = await eslint.lintFiles(['server/src/**/*.ts']);
  // Findings of these rules and files that could not be parsed; notes about inline comments are not findings.
  const findings = results.flatMap((result) => result.messages.filter((m) => m.fatal === true || m.ruleId?.startsWith('regexp/')).map((m) => `${path.relative(root, result.filePath)}:${m.line}:${m.column} ${m.ruleId ?? 'parse'}: ${m.message}`));
  assert.ok(results.length > 50, `eslint read the sources (${results.length} files)`);
  assert.deepEqual(findings, []);
});

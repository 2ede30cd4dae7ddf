// ESLint flat config (ESLint 10 + typescript-eslint 8, type-aware). Formatting is Prettier's job (.prettierrc.json):
// no stylistic rules here. `npm run lint` runs it; CI fails on any error.
import js from '@eslint/js';
import globals from 'globals';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// A rejection handler that swallows the error without a word: `.catch(() => {})`, `.catch(() => undefined)`,
// `.then(f, () => {})`. Allowed when a comment says why: inside the handler (`.catch(() => { /* why */ })`), on the
// line of the handler, or on the line just above the statement (or above the `.catch(` of a chain). (`catch {}` blocks are `no-empty`'s.)
const noSilentCatch = {
  meta: {
    type: 'suggestion',
    docs: { description: 'A swallowed rejection is handled, logged, or commented with why it may be ignored' },
    messages: {
      silent:
        'This rejection handler swallows the error silently: handle it, log it, or say in a comment why it may be ignored.',
    },
    schema: [],
  },
  create(context) {
    const source = context.sourceCode;
    const isFunction = (n) => n?.type === 'ArrowFunctionExpression' || n?.type === 'FunctionExpression';
    const isSilent = (fn) => {
      const body = fn.body;
      if (body.type === 'BlockStatement') return body.body.length === 0;
      if (body.type === 'Identifier' && body.name === 'undefined') return true;
      if (body.type === 'Literal') return true; // () => null, () => false, () => 0
      if (body.type === 'UnaryExpression' && body.operator === 'void' && body.argument.type === 'Literal') return true;
      return false;
    };
    const statementOf = (node) => {
      let n = node;
      while (n.parent && !/Statement$|Declaration$/.test(n.type)) n = n.parent;
      return n;
    };
    const commented = (call, fn) => {
      if (source.getCommentsInside(fn).length > 0) return true;
      // On a line of the handler or of the call's end, or ending just above the statement or the `.catch(`.
      const on = new Set([fn.loc.start.line, fn.loc.end.line, call.loc.end.line]);
      const above = new Set([statementOf(call).loc.start.line - 1, call.callee.property.loc.start.line - 1]);
      return source
        .getAllComments()
        .some((c) => on.has(c.loc.start.line) || on.has(c.loc.end.line) || above.has(c.loc.end.line));
    };
    return {
      CallExpression(call) {
        const callee = call.callee;
        if (callee.type !== 'MemberExpression' || callee.computed || callee.property.type !== 'Identifier') return;
        const name = callee.property.name;
        const handler = name === 'catch' ? call.arguments[0] : name === 'then' ? call.arguments[1] : undefined;
        if (!isFunction(handler) || !isSilent(handler)) return;
        if (!commented(call, handler)) context.report({ node: handler, messageId: 'silent' });
      },
    };
  },
};

export default defineConfig(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/coverage/**',
      'docs/api/**',
      '.types/**',
      '.prof/**',
      // A user's project, compiled and linted by scripts/check-packages.mjs in a scratch directory against the tarballs.
      'scripts/package-check/**',
      // Redis 7.0.15's own test suite (Tcl), vendored unmodified.
      'packages/apps/test/redis-suite/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
      parserOptions: {
        // Each file is checked with the tsconfig.json nearest to it (packages/*, examples, bench).
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { local: { rules: { 'no-silent-catch': noSilentCatch } } },
    rules: {
      // Every swallowed error handled, logged, or commented with why: an empty `catch {}` needs a comment inside.
      'no-empty': ['error', { allowEmptyCatch: false }],
      'local/no-silent-catch': 'error',

      // Type imports: `import type { A }` / `import { b, type A }` (matches verbatimModuleSyntax and the code as is).
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/consistent-type-exports': ['error', { fixMixedExportsWithInlineTypeSpecifier: true }],
      '@typescript-eslint/no-import-type-side-effects': 'error',

      // Promises.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      // `return promise` inside try/catch skips the catch: there it must be `return await promise`.
      '@typescript-eslint/return-await': ['error', 'error-handling-correctness-only'],
      // Off: its hits are fakes and adapters implementing a Promise-returning interface; dropping `async` there
      // would turn a rejection into a synchronous throw.
      '@typescript-eslint/require-await': 'off',

      // `==` only against null (x == null covers undefined); 0 hits today, kept that way.
      eqeqeq: ['error', 'smart'],

      // No unused code (unused exports, files and dependencies: knip, `npm run lint:unused`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'all',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    // Plain JavaScript (scripts, fixtures, the bin) and the tool configs outside every tsconfig: no type information.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs', '**/*.config.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    rules: {
      '@typescript-eslint/consistent-type-exports': 'off',
    },
  },
  {
    // Programs that try to escape a pure task on purpose: odd code is the point.
    files: ['packages/kernel/test/fixtures/pure/**'],
    rules: { '@typescript-eslint/no-this-alias': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);

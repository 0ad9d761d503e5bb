// The linter: typescript-eslint's type-aware rules for what the compiler lets through (a promise
// nobody awaits, an async function where a plain callback is expected, an unused name) and one
// rule of our own (imports first). Formatting is Prettier's (npm run format), not the linter's.
// @ts-check
import tseslint from "typescript-eslint";

/** Every import (and `export ... from`) before the module's first statement: a reader sees what a file uses at its top. */
const importsFirst = {
  meta: { type: "suggestion", messages: { late: "imports go before the module's first statement" }, schema: [] },
  /** @param {import("eslint").Rule.RuleContext} context */
  create(context) {
    return {
      Program(program) {
        let code = false;
        for (const node of program.body) {
          const isImport =
            node.type === "ImportDeclaration" ||
            ((node.type === "ExportNamedDeclaration" || node.type === "ExportAllDeclaration") && node.source);
          if (isImport && code) context.report({ node, messageId: "late" });
          else if (!isImport) code = true;
        }
      },
    };
  },
};

export default tseslint.config(
  {
    ignores: ["node_modules/", "dist/", "dist-lib/", "test-results/", "images/", "examples/web/dist/", "**/*.d.ts"],
  },
  {
    files: ["**/*.ts", "**/*.js", "**/*.mjs"],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        projectService: {
          allowDefaultProject: ["*.js", "bin/*.mjs", "examples/*.mjs", "examples/*/*.mjs", "examples/*/*.js"],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { "@typescript-eslint": tseslint.plugin, looproot: { rules: { "imports-first": importsFirst } } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // node:test's test() returns a promise the runner itself awaits.
      "@typescript-eslint/no-floating-promises": [
        "error",
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "it", "describe"] }] },
      ],
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
      "looproot/imports-first": "error",
    },
  },
);

import js from "@eslint/js";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist", "node_modules", "src/api/schema.ts"] },
  {
    files: ["**/*.{ts,tsx}"],
    extends: [js.configs.recommended, ...tseslint.configs.strict],
    languageOptions: { ecmaVersion: 2022, globals: globals.browser },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
    },
  },
  // Imports point one way: todos/ -> offline/ -> api/, auth/, ui/ (and nothing back up).
  {
    files: ["src/offline/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [{ group: ["**/todos/**"], message: "offline/ sits below todos/: move what both need down (api/)." }] }] },
  },
  {
    files: ["src/api/**", "src/auth/**", "src/ui/**", "src/webStorage.ts", "src/config.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["**/todos/**", "**/offline/**"], message: "A lower layer must not import todos/ or offline/." }] }],
    },
  },
);

import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "dist-bench/**", "node_modules/**", "out/**", "bench/results*.json", "notebooks/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain JavaScript here is Node scripts (CI helpers); TypeScript files get their globals from tsc.
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // The emulator must be deterministic: wall-clock time and Math.random never enter the model.
      "no-restricted-properties": [
        "error",
        { object: "Math", property: "random", message: "Use the machine's seeded RNG." },
      ],
    },
  },
  {
    files: ["src/machine/**", "src/microkernel/**", "src/xen/**", "src/genode/**", "src/scenarios/**"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "Math", property: "random", message: "Use the machine's seeded RNG." },
        { object: "Date", property: "now", message: "Simulated time only: use the machine's clock." },
        { object: "performance", property: "now", message: "Simulated time only: use the machine's clock." },
      ],
      "no-restricted-syntax": ["error", { selector: "NewExpression[callee.name='Date']", message: "Simulated time only." }],
    },
  },
);

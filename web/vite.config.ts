/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";
import { readFileSync } from "node:fs";
import { parse } from "yaml";

// The API contract is the one source of the todo field limits (see src/api/types.ts).
const spec = parse(readFileSync(new URL("../api/openapi.yaml", import.meta.url), "utf8"));
const todoFields = spec.components.schemas.Todo.properties;

export default defineConfig({
  plugins: [react(), tailwindcss()],
  define: {
    __TODO_LIMITS__: JSON.stringify({ title: todoFields.title.maxLength, notes: todoFields.notes.maxLength }),
  },
  build: {
    // Source maps stay out of the deployed bucket; the budget counts shipped bytes only.
    sourcemap: false,
    // bench/web_size.py reads it to know which files each first screen loads.
    manifest: true,
    // The entry (React, TanStack Query) is ~260 KB before gzip; `make bench-web` holds
    // the real budget, on gzipped first-load bytes.
    chunkSizeWarningLimit: 300,
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    css: false,
  },
});

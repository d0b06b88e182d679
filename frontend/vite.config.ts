/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: {
    // Source maps stay out of the deployed bucket; the budget counts shipped bytes only.
    sourcemap: false,
    // bench/web_size.py reads it to know which files each first screen loads.
    manifest: true,
    // Amplify's auth chunk is big but only loaded by the screens that need it.
    chunkSizeWarningLimit: 600,
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    css: false,
  },
});

/** Set by vite.config.ts from openapi.yaml (components.schemas.Todo). */
declare const __TODO_LIMITS__: { title: number; notes: number };

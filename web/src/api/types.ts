/**
 * The API's types, limits and values, all taken from openapi.yaml: the types from the
 * file `npm run gen:api` generates (src/api/schema.ts, checked current by `make web-lint`),
 * the length limits from the spec at build time (vite.config.ts), so none can drift.
 */
import { priorityValues, type components } from "./schema";

type Schemas = components["schemas"];

export type Priority = Schemas["Priority"];
export type Todo = Schemas["Todo"];
export type NewTodo = Schemas["TodoCreate"];
export type TodoPatch = Schemas["TodoPatch"];
export type ErrorBody = Schemas["Error"];

export const PRIORITIES: readonly Priority[] = priorityValues;

export interface TodoPage {
  todos: Todo[];
  /** Absolute URL of the next page (from the Link header), or null on the last page. */
  next: string | null;
}

/** Limits the API enforces; checked here too so the user hears about them before a round trip. */
export const TITLE_MAX: number = __TODO_LIMITS__.title;
export const NOTES_MAX: number = __TODO_LIMITS__.notes;

export type Priority = "low" | "normal" | "high";

export const PRIORITIES: readonly Priority[] = ["low", "normal", "high"];

export interface Todo {
  id: string;
  url: string;
  title: string;
  completed: boolean;
  order: number;
  notes: string | null;
  due: string | null;
  priority: Priority;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  version: number;
}

export interface NewTodo {
  title: string;
  completed?: boolean;
  order?: number;
  notes?: string | null;
  due?: string | null;
  priority?: Priority;
}

export type TodoPatch = Partial<Pick<Todo, "title" | "completed" | "order" | "notes" | "due" | "priority">>;

export interface TodoPage {
  todos: Todo[];
  /** Absolute URL of the next page (from the Link header), or null on the last page. */
  next: string | null;
}

/** Limits the API enforces; checked here too so the user hears about them before a round trip. */
export const TITLE_MAX = 500;
export const NOTES_MAX = 10000;

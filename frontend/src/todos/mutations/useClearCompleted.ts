import { removeTodos } from "../cache";
import { useTodoWrites } from "../writes";
import { useBulkWrite } from "./useBulkWrite";

/** Deletes every completed todo. */
export function useClearCompleted() {
  const { api } = useTodoWrites();
  const bulk = useBulkWrite(() => api.clearCompleted(), "clear the completed todos");
  return () => bulk(undefined, (data) => removeTodos(data, (t) => t.completed));
}

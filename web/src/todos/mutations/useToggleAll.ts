import { mapTodos } from "../cache";
import { useTodoWrites } from "../writes";
import { useBulkWrite } from "./useBulkWrite";

/** Marks every todo completed, or every todo active. */
export function useToggleAll() {
  const { api } = useTodoWrites();
  const bulk = useBulkWrite((completed: boolean) => api.setAllCompleted(completed), "update your todos");
  return (completed: boolean) => {
    const now = new Date().toISOString();
    bulk(completed, (data) =>
      mapTodos(data, (t) => (t.completed === completed ? t : { ...t, completed, completed_at: completed ? now : null })),
    );
  };
}

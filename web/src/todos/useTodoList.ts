/** The todo list: one infinite query that follows the API's Link header, page by page. */
import { useInfiniteQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import type { TodoPage } from "../api/types";
import { TODOS_KEY, flatten, type TodoPages } from "./cache";
import { useTodoWrites } from "./writes";

export function useTodoList() {
  const { api } = useTodoWrites();
  const query = useInfiniteQuery<TodoPage, Error, TodoPages, typeof TODOS_KEY, string | null>({
    queryKey: TODOS_KEY,
    queryFn: ({ pageParam }) => api.listTodos(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
  });
  const todos = useMemo(() => flatten(query.data), [query.data]);
  return { ...query, todos };
}

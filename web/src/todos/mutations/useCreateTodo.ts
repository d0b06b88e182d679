import { useMutation } from "@tanstack/react-query";
import { useRef } from "react";
import { ApiError, SessionExpiredError, newIdempotencyKey } from "../../api/client";
import type { NewTodo } from "../../api/types";
import { useNotices } from "../../ui/notices";
import { appendTodo, flatten, mapTodos, nextOrder, placeholder, removeTodos } from "../cache";
import { errorDetail } from "../messages";
import { useTodoCache } from "../useTodoCache";
import { IN_ORDER, useTodoWrites } from "../writes";

/** A network error or a busy server may pass; anything else will not. */
function isRetryable(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status === 503);
}

/**
 * Adds a todo: shown at once under a temporary id, replaced by the server's answer.
 * One Idempotency-Key per add, kept through retries, so a retry never makes a second todo.
 * When an add fails for good its text goes back to the user; sending that same text
 * again is the same add (it may have reached the server), so it reuses body and key.
 */
export function useCreateTodo() {
  const { api } = useTodoWrites();
  const cache = useTodoCache();
  const { report } = useNotices();
  const failed = useRef<{ input: NewTodo; key: string } | null>(null);
  const mutation = useMutation({
    ...IN_ORDER,
    mutationFn: ({ input, key }: { input: NewTodo; tempId: string; key: string }) => api.createTodo(input, key),
    retry: (failures, error) => failures < 2 && isRetryable(error),
    retryDelay: (failures, error) => retryAfterMs(error) ?? 300 * 2 ** failures,
    onSuccess: (todo, { tempId }) => cache.write((data) => mapTodos(data, (t) => (t.id === tempId ? todo : t))),
    onError: (error, { tempId, input, key }) => {
      failed.current = { input, key };
      cache.write((data) => removeTodos(data, (t) => t.id === tempId));
      if (!(error instanceof SessionExpiredError)) report(`Couldn't add “${input.title}”. ${errorDetail(error)}`);
    },
    onSettled: cache.refreshWhenIdle,
  });

  /** `onFailure`: called when the todo could not be saved (the caller puts the text back). */
  return (input: NewTodo, onFailure?: () => void) => {
    const again = failed.current?.input.title === input.title ? failed.current : null;
    failed.current = null;
    const body = again?.input ?? { ...input, order: input.order ?? nextOrder(flatten(cache.read())) };
    const tempId = `temp-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    cache.optimistic((data) => appendTodo(data, placeholder(tempId, body)));
    mutation.mutate({ input: body, tempId, key: again?.key ?? newIdempotencyKey() }, { onError: () => onFailure?.() });
  };
}

function retryAfterMs(error: unknown): number | undefined {
  return error instanceof ApiError && error.retryAfter !== undefined ? error.retryAfter * 1000 : undefined;
}

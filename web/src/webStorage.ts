/**
 * Web Storage with the failures handled in one place. Storage can be blocked (privacy
 * settings), full, or hold something unreadable: then a read finds nothing and a write
 * keeps nothing, and the caller carries on with what it has in memory.
 *
 * `local` outlives the tab (the theme, the outbox of unsent changes); `session` goes with
 * the tab, like the tokens.
 */
export interface WebStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
  /** The value stored under `key`, null when there is none, `unreadable` when storage is blocked or the value is not JSON. */
  getJson<T>(key: string, unreadable?: T | null): T | null;
  setJson(key: string, value: unknown): void;
  remove(key: string): void;
  /** The keys that start with `prefix`. */
  keys(prefix: string): string[];
  clear(): void;
}

function attempt<T>(action: () => T, fallback: T): T {
  try {
    return action();
  } catch {
    return fallback;
  }
}

function store(area: () => Storage): WebStore {
  const self: WebStore = {
    get: (key) => attempt(() => area().getItem(key), null),
    set: (key, value) => attempt(() => area().setItem(key, value), undefined),
    getJson: <T>(key: string, unreadable: T | null = null) =>
      attempt(() => JSON.parse(area().getItem(key) ?? "null") as T | null, unreadable),
    setJson: (key, value) => self.set(key, JSON.stringify(value)),
    remove: (key) => attempt(() => area().removeItem(key), undefined),
    keys: (prefix) =>
      attempt(() => {
        const storage = area();
        return Array.from({ length: storage.length }, (_, i) => storage.key(i)).filter((key): key is string => key?.startsWith(prefix) === true);
      }, []),
    clear: () => attempt(() => area().clear(), undefined),
  };
  return self;
}

export const local = store(() => localStorage);
export const session = store(() => sessionStorage);

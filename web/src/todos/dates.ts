/** Today's date in the user's time zone as YYYY-MM-DD (what due dates are compared with). */
export function todayIso(now: Date = new Date()): string {
  const month = String(now.getMonth() + 1).padStart(2, "0");
  const day = String(now.getDate()).padStart(2, "0");
  return `${now.getFullYear()}-${month}-${day}`;
}

export function isOverdue(due: string | null, completed: boolean, today: string = todayIso()): boolean {
  return due !== null && !completed && due < today;
}

/** "Today", "Tomorrow", or a short date like "Mar 5" (with the year when it isn't this year). */
export function formatDue(due: string, today: string = todayIso()): string {
  const [y, m, d] = due.split("-").map(Number) as [number, number, number];
  const date = new Date(y, m - 1, d);
  const [ty, tm, td] = today.split("-").map(Number) as [number, number, number];
  const days = Math.round((date.getTime() - new Date(ty, tm - 1, td).getTime()) / 86_400_000);
  if (days === 0) return "Today";
  if (days === 1) return "Tomorrow";
  if (days === -1) return "Yesterday";
  return date.toLocaleDateString(undefined, { month: "short", day: "numeric", ...(y === ty ? {} : { year: "numeric" }) });
}

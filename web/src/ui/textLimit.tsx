/**
 * Length limits the user can see. A browser's `maxLength` cuts a long paste silently;
 * here a paste that does not fit keeps what fits, in the box for the user to read
 * before saving, and says how much was left out. A counter shows near the limit.
 */
import { useCallback, useId, useState, type ClipboardEvent } from "react";

/** The counter appears once this share of the limit is used. */
const COUNTER_FROM = 0.8;

type TextField = HTMLInputElement | HTMLTextAreaElement;

/** `value` with `pasted` put over the selection, cut to `limit`; and how many characters were left out. */
export function pasteWithin(
  value: string,
  pasted: string,
  selectionStart: number,
  selectionEnd: number,
  limit: number,
): { value: string; caret: number; leftOut: number } {
  const room = Math.max(0, limit - (value.length - (selectionEnd - selectionStart)));
  let kept = pasted.slice(0, room);
  // Never split a surrogate pair (an emoji) in two.
  if (kept.length > 0 && /[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
  return {
    value: value.slice(0, selectionStart) + kept + value.slice(selectionEnd),
    caret: selectionStart + kept.length,
    leftOut: pasted.length - kept.length,
  };
}

export interface TextLimit {
  max: number;
  /** Give to the field: handles a paste that would not fit. */
  onPaste: (event: ClipboardEvent<TextField>) => void;
  /** The id of the hint, for the field's aria-describedby (always rendered). */
  hintId: string;
  /** Characters left out of the last paste (0: nothing). */
  leftOut: number;
  /** Forget the message (after saving or cancelling). */
  reset: () => void;
}

/**
 * @param value the field's current value
 * @param setValue sets it (the paste that fits goes through here)
 */
export function useTextLimit(value: string, setValue: (value: string) => void, limit: number): TextLimit {
  const [leftOut, setLeftOut] = useState(0);
  const hintId = useId();
  const onPaste = useCallback(
    (event: ClipboardEvent<TextField>) => {
      const field = event.currentTarget;
      let pasted = event.clipboardData.getData("text/plain");
      // An <input> turns line breaks into nothing; count what it would keep.
      if (field instanceof HTMLInputElement) pasted = pasted.replace(/[\r\n]+/g, "");
      const start = field.selectionStart ?? value.length;
      const end = field.selectionEnd ?? value.length;
      const result = pasteWithin(value, pasted, start, end, limit);
      if (result.leftOut === 0) {
        setLeftOut(0);
        return; // fits: the browser pastes it
      }
      event.preventDefault();
      setValue(result.value);
      setLeftOut(result.leftOut);
      requestAnimationFrame(() => field.setSelectionRange(result.caret, result.caret));
    },
    [value, setValue, limit],
  );
  const reset = useCallback(() => setLeftOut(0), []);
  return { max: limit, onPaste, hintId, leftOut, reset };
}

const number = new Intl.NumberFormat();

/**
 * The counter (near the limit) and the message about a cut paste. The message sits in
 * a polite live region that is always there, so screen readers announce it.
 */
export function LimitHint({ limit, value, className = "" }: { limit: TextLimit; value: string; className?: string }) {
  const { max } = limit;
  const showCounter = value.length >= max * COUNTER_FROM;
  const atLimit = value.length >= max;
  return (
    <div id={limit.hintId} className={`text-sm ${className}`}>
      {showCounter ? (
        <p className={atLimit ? "font-medium text-amber-800 dark:text-amber-300" : "text-slate-600 dark:text-slate-400"}>
          {number.format(value.length)} / {number.format(max)} characters
        </p>
      ) : null}
      <p aria-live="polite" className="font-medium text-amber-800 dark:text-amber-300">
        {limit.leftOut > 0 && value !== ""
          ? `That paste was too long: ${number.format(limit.leftOut)} characters were left out (the limit is ${number.format(max)}). Check the text before saving.`
          : ""}
      </p>
    </div>
  );
}

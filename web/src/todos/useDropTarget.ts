import { useState, type DragEvent } from "react";

/** Makes a row a place to drop a dragged todo (HTML drag and drop: mouse only), highlighted while one is over it. */
export function useDropTarget(onDrop: () => void) {
  const [over, setOver] = useState(false);
  return {
    over,
    rowProps: {
      onDragOver: (event: DragEvent) => {
        event.preventDefault();
        setOver(true);
      },
      onDragLeave: () => setOver(false),
      onDrop: (event: DragEvent) => {
        event.preventDefault();
        setOver(false);
        onDrop();
      },
    },
  };
}

/** A wall layout: `auto` (the grid follows the tile count) or N (an N×N grid whatever the count). */
export type WallLayout = 'auto' | 1 | 2 | 3 | 4;

export const WALL_LAYOUTS: readonly WallLayout[] = ['auto', 1, 2, 3, 4];

export function parseWallLayout(value: string | null | undefined): WallLayout {
  const n = Number(value);
  return n === 1 || n === 2 || n === 3 || n === 4 ? n : 'auto';
}

/**
 * The grid of a wall of `count` tiles: automatic is the squarest grid that holds them (1, 2×1,
 * 2×2, 3×2, 3×3, 4×3, 4×4); a fixed N×N keeps its tile size (empty cells stay empty) until it
 * holds more than N×N tiles, when it grows as automatic does, so every tile stays on screen.
 */
export function wallGrid(count: number, layout: WallLayout): { cols: number; rows: number } {
  const tiles = Math.max(1, count);
  if (layout === 'auto' || tiles > layout * layout) {
    const cols = Math.ceil(Math.sqrt(tiles));
    return { cols, rows: Math.ceil(tiles / cols) };
  }
  return { cols: layout, rows: layout };
}

/** The tile index an arrow key moves the selection to, on a grid of `cols` columns (stays at an edge). */
export function neighbour(index: number, count: number, cols: number, key: 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown'): number {
  const target = { ArrowLeft: index - 1, ArrowRight: index + 1, ArrowUp: index - cols, ArrowDown: index + cols }[key];
  return target >= 0 && target < count ? target : index;
}

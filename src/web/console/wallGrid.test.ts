import assert from 'node:assert/strict';
import { it } from 'node:test';
import { neighbour, parseWallLayout, wallGrid } from './wallGrid.ts';

it('automatic walls are the squarest grid that holds the tiles', () => {
  const grids = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 12, 13, 16].map((n) => [n, wallGrid(n, 'auto')]);
  assert.deepEqual(grids, [
    [0, { cols: 1, rows: 1 }], [1, { cols: 1, rows: 1 }], [2, { cols: 2, rows: 1 }], [3, { cols: 2, rows: 2 }], [4, { cols: 2, rows: 2 }],
    [5, { cols: 3, rows: 2 }], [6, { cols: 3, rows: 2 }], [7, { cols: 3, rows: 3 }], [9, { cols: 3, rows: 3 }], [10, { cols: 4, rows: 3 }],
    [12, { cols: 4, rows: 3 }], [13, { cols: 4, rows: 4 }], [16, { cols: 4, rows: 4 }],
  ]);
});

it('a fixed N×N wall keeps its size until it holds more than N×N tiles, then grows as automatic does', () => {
  assert.deepEqual(wallGrid(2, 4), { cols: 4, rows: 4 });
  assert.deepEqual(wallGrid(4, 2), { cols: 2, rows: 2 });
  assert.deepEqual(wallGrid(6, 2), { cols: 3, rows: 2 });
  assert.deepEqual(wallGrid(1, 1), { cols: 1, rows: 1 });
  assert.deepEqual(wallGrid(3, 1), { cols: 2, rows: 2 });
  assert.deepEqual([parseWallLayout('3'), parseWallLayout('auto'), parseWallLayout('7'), parseWallLayout(null)], [3, 'auto', 'auto', 'auto']);
});

it('arrow keys move the selection over the grid and stop at its edges', () => {
  // 3 columns, 8 tiles: 0 1 2 / 3 4 5 / 6 7
  assert.equal(neighbour(4, 8, 3, 'ArrowLeft'), 3);
  assert.equal(neighbour(4, 8, 3, 'ArrowUp'), 1);
  assert.equal(neighbour(4, 8, 3, 'ArrowDown'), 7);
  assert.equal(neighbour(5, 8, 3, 'ArrowDown'), 5, 'no tile below');
  assert.equal(neighbour(0, 8, 3, 'ArrowLeft'), 0);
  assert.equal(neighbour(7, 8, 3, 'ArrowRight'), 7);
});

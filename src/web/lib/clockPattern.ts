/**
 * A test pattern that carries the time it was painted, as large black and white blocks that
 * survive video compression. The camera paints it; a viewer reads it back from each presented
 * frame and subtracts from its own clock: capture-to-display latency, measured end to end.
 * Installers use the same pattern to check a link without pointing a camera at anything.
 */

export const CLOCK_GRID = { columns: 8, rows: 5 } as const;
const BLOCKS = CLOCK_GRID.columns * CLOCK_GRID.rows; // 32 time bits + 8 check bits
/** The blocks fill the top of the frame; the bottom strip is left for a readable caption. */
export const CLOCK_AREA_HEIGHT = 0.8;

function checkByte(value: number): number {
  return (~((value & 0xff) ^ ((value >>> 8) & 0xff) ^ ((value >>> 16) & 0xff) ^ ((value >>> 24) & 0xff))) & 0xff;
}

/**
 * The 40 blocks (true = white) for a millisecond clock value, taken modulo 2^32.
 * @example decodeClock(encodeClock(1234567)) // 1234567
 */
export function encodeClock(ms: number): boolean[] {
  const value = Math.floor(ms) >>> 0;
  const check = checkByte(value);
  const bits: boolean[] = [];
  for (let i = 31; i >= 0; i--) bits.push(((value >>> i) & 1) === 1);
  for (let i = 7; i >= 0; i--) bits.push(((check >>> i) & 1) === 1);
  return bits;
}

/** The clock value, or null when the check bits disagree (a torn or corrupted frame). */
export function decodeClock(bits: readonly boolean[]): number | null {
  if (bits.length !== BLOCKS) return null;
  let value = 0;
  for (let i = 0; i < 32; i++) value = ((value << 1) | (bits[i] ? 1 : 0)) >>> 0;
  let check = 0;
  for (let i = 32; i < 40; i++) check = (check << 1) | (bits[i] ? 1 : 0);
  return check === checkByte(value) ? value : null;
}

/** Milliseconds on a clock every page of this machine shares (not the page-relative performance.now()). */
export function sharedClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Difference of two clock values modulo 2^32, so wrap-around does not produce a giant latency. */
export function clockDelta(laterMs: number, earlierValue: number): number {
  return (((Math.floor(laterMs) >>> 0) - earlierValue) >>> 0) | 0;
}

interface Painter {
  fillStyle: string | CanvasGradient | CanvasPattern;
  fillRect(x: number, y: number, w: number, h: number): void;
}

export function paintClock(ctx: Painter, width: number, height: number, ms: number): void {
  const bits = encodeClock(ms);
  const blockW = width / CLOCK_GRID.columns;
  const blockH = (height * CLOCK_AREA_HEIGHT) / CLOCK_GRID.rows;
  bits.forEach((white, index) => {
    ctx.fillStyle = white ? '#ffffff' : '#000000';
    const x = (index % CLOCK_GRID.columns) * blockW;
    const y = Math.floor(index / CLOCK_GRID.columns) * blockH;
    ctx.fillRect(Math.floor(x), Math.floor(y), Math.ceil(blockW), Math.ceil(blockH));
  });
}

/** Pixels as ImageData gives them: RGBA bytes, row by row. */
export interface Pixels {
  readonly data: ArrayLike<number>;
  readonly width: number;
  readonly height: number;
}

/** One byte of luminance per pixel, rows `stride` bytes apart: the Y plane of an I420 or NV12 frame. */
export interface LumaPlane {
  readonly data: ArrayLike<number>;
  readonly width: number;
  readonly height: number;
  readonly stride: number;
}

/** Reads the clock back from a frame, sampling a small square in the middle of each block. */
export function readClock(pixels: Pixels): number | null {
  return readBlocks(pixels.width, pixels.height, (x, y) => {
    const offset = (y * pixels.width + x) * 4;
    return 0.299 * pixels.data[offset]! + 0.587 * pixels.data[offset + 1]! + 0.114 * pixels.data[offset + 2]!;
  });
}

/**
 * The same from a frame's Y plane, as VideoFrame.copyTo gives it: no conversion to RGB and no
 * scaling, so reading every presented frame costs the reader next to nothing.
 */
export function readClockFromLuma(plane: LumaPlane): number | null {
  // Limited-range luma puts black at 16 and white at 235: the midpoint still splits them.
  return readBlocks(plane.width, plane.height, (x, y) => plane.data[y * plane.stride + x]!);
}

function readBlocks(width: number, height: number, luminance: (x: number, y: number) => number): number | null {
  const blockW = width / CLOCK_GRID.columns;
  const blockH = (height * CLOCK_AREA_HEIGHT) / CLOCK_GRID.rows;
  const radius = Math.max(0, Math.floor(Math.min(blockW, blockH) / 6));
  const bits: boolean[] = [];
  for (let index = 0; index < BLOCKS; index++) {
    const cx = Math.floor(((index % CLOCK_GRID.columns) + 0.5) * blockW);
    const cy = Math.floor((Math.floor(index / CLOCK_GRID.columns) + 0.5) * blockH);
    let sum = 0;
    let count = 0;
    for (let y = cy - radius; y <= cy + radius; y++) {
      for (let x = cx - radius; x <= cx + radius; x++) {
        sum += luminance(x, y);
        count += 1;
      }
    }
    bits.push(sum / count >= 128);
  }
  return decodeClock(bits);
}

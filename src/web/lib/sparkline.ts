/** How many samples a sparkline keeps: one a second, so the last minute. */
export const SPARKLINE_SAMPLES = 60;

export interface Point {
  readonly x: number;
  readonly y: number;
}

/**
 * Points of a line through `values` (oldest first), scaled to a `width`×`height` box with the
 * newest sample at the right edge. Each series is scaled to its own maximum so RTT and bitrate
 * can share a canvas; gaps (null) split the line into segments.
 * @example sparklinePoints([0, 5, 10], 100, 20, 3) // [[{x:0,y:20},{x:50,y:10},{x:100,y:0}]]
 */
export function sparklinePoints(
  values: readonly (number | null)[],
  width: number,
  height: number,
  capacity = SPARKLINE_SAMPLES,
): Point[][] {
  const recent = values.slice(-capacity);
  const max = Math.max(0, ...recent.filter((v): v is number => v !== null));
  const step = capacity > 1 ? width / (capacity - 1) : 0;
  const offset = capacity - recent.length; // fewer samples than capacity: start part-way across
  const segments: Point[][] = [];
  let segment: Point[] = [];
  recent.forEach((value, index) => {
    if (value === null) {
      if (segment.length > 0) segments.push(segment);
      segment = [];
      return;
    }
    const y = max === 0 ? height : height - (value / max) * height;
    segment.push({ x: (offset + index) * step, y });
  });
  if (segment.length > 0) segments.push(segment);
  return segments;
}

export interface SparklineSeries {
  readonly values: readonly (number | null)[];
  /** A CSS colour; canvas drawing is not styling, so the page's CSP does not apply. */
  readonly colour: string;
}

/** Draws each series as a 1.5 px line, sized to the canvas's CSS box at the screen's pixel ratio. */
export function drawSparkline(canvas: HTMLCanvasElement, series: readonly SparklineSeries[]): void {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.clearRect(0, 0, width, height);
  const inset = 2 * ratio; // keep the line inside the box at its peaks
  ctx.lineWidth = 1.5 * ratio;
  ctx.lineJoin = 'round';
  for (const { values, colour } of series) {
    ctx.strokeStyle = colour;
    for (const segment of sparklinePoints(values, width, height - 2 * inset)) {
      ctx.beginPath();
      segment.forEach((point, index) => {
        if (index === 0) ctx.moveTo(point.x, point.y + inset);
        else ctx.lineTo(point.x, point.y + inset);
      });
      ctx.stroke();
    }
  }
}

/**
 * Small line icons built as SVG elements: no icon font to load (every asset comes from the
 * gateway) and no reliance on the system font having ⛶ or similar symbols.
 */
const SVG_NS = 'http://www.w3.org/2000/svg';

const PATHS = {
  fullscreen: 'M2 6V2h4M10 2h4v4M14 10v4h-4M6 14H2v-4',
  close: 'M3.5 3.5l9 9M12.5 3.5l-9 9',
  up: 'M3.5 10l4.5-4.5 4.5 4.5',
  down: 'M3.5 6l4.5 4.5 4.5-4.5',
  left: 'M10 3.5L5.5 8l4.5 4.5',
  right: 'M6 3.5l4.5 4.5L6 12.5',
  in: 'M8 3v10M3 8h10',
  out: 'M3 8h10',
  snapshot: 'M2 5h3l1.5-2h3L11 5h3v8H2zM8 11.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z',
  clip: 'M2 4h9v8H2zM11 7l3-2v6l-3-2z',
  clips: 'M2 3.5h2M6 3.5h8M2 8h2M6 8h8M2 12.5h2M6 12.5h8',
} as const;

export type IconName = keyof typeof PATHS;

export function icon(name: IconName): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '14');
  svg.setAttribute('height', '14');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'icon');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', PATHS[name]);
  path.setAttribute('fill', 'none');
  path.setAttribute('stroke', 'currentColor');
  path.setAttribute('stroke-width', '1.6');
  path.setAttribute('stroke-linecap', 'round');
  path.setAttribute('stroke-linejoin', 'round');
  svg.append(path);
  return svg;
}

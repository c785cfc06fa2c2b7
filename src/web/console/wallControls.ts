import { byId } from '../shared-ui/dom.ts';
import type { VideoWall } from './VideoWall.ts';
import { parseWallLayout, type WallLayout } from './wallGrid.ts';

/** This browser's last choices, so a reload keeps the wall's shape. */
const STORED = { layout: 'vigil.wall.layout', directory: 'vigil.wall.directory' } as const;

const ARROWS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown']);

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage refused (a locked-down kiosk profile): defaults
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // as above
  }
}

/** Typing in a field is typing, not a wall shortcut. */
function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName));
}

/**
 * The wall's own controls: its layout (auto, 1, 2×2, 3×3, 4×4), the zone directory drawer, kiosk
 * mode (the wall and nothing else), and the keyboard — 1–9 select a tile, arrows move the
 * selection, Shift+arrows move the tile, F full screen, Esc leaves kiosk mode. The address may
 * set them for a kiosk screen: `?grid=4&kiosk`.
 */
export function initWallControls(wall: VideoWall, address: URLSearchParams): { setLayout(layout: WallLayout): void } {
  const shell = byId('console-shell', HTMLElement);
  const layoutSelect = byId('wall-layout', HTMLSelectElement);
  const drawer = byId('directory-drawer', HTMLElement);
  const drawerToggle = byId('directory-toggle', HTMLButtonElement);
  const kioskToggle = byId('kiosk-toggle', HTMLButtonElement);

  const layout = parseWallLayout(address.get('grid') ?? stored(STORED.layout));
  layoutSelect.value = String(layout);
  wall.setLayout(layout);
  layoutSelect.addEventListener('change', () => {
    const chosen = parseWallLayout(layoutSelect.value);
    store(STORED.layout, String(chosen));
    wall.setLayout(chosen);
  });

  const showDirectory = (shown: boolean): void => {
    drawer.hidden = !shown;
    drawerToggle.setAttribute('aria-expanded', String(shown));
  };
  showDirectory(stored(STORED.directory) !== 'hidden');
  drawerToggle.addEventListener('click', () => {
    showDirectory(drawer.hidden);
    store(STORED.directory, drawer.hidden ? 'hidden' : 'shown');
  });

  const kiosk = (on: boolean): void => {
    shell.classList.toggle('kiosk', on);
    shell.dataset.kiosk = String(on);
  };
  kiosk(address.has('kiosk'));
  kioskToggle.addEventListener('click', () => {
    kiosk(true);
    void document.documentElement.requestFullscreen?.().catch(() => undefined);
  });

  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || isTyping(event.target)) return;
    if (/^[1-9]$/.test(event.key)) {
      wall.selectIndex(Number(event.key) - 1);
    } else if (event.key === 'f' || event.key === 'F') {
      wall.toggleFullscreen();
    } else if (event.key === 'Escape') {
      if (shell.classList.contains('kiosk') && !document.fullscreenElement) kiosk(false);
    } else if (ARROWS.has(event.key)) {
      const key = event.key as 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown';
      if (event.shiftKey) wall.moveSelected(key);
      else wall.moveSelection(key);
    } else {
      return;
    }
    event.preventDefault();
  });
  return {
    setLayout(layout) {
      layoutSelect.value = String(layout);
      wall.setLayout(layout);
    },
  };
}

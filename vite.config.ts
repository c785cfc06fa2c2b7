import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const webRoot = fileURLToPath(new URL('./src/web/', import.meta.url));

/**
 * Both pages share one header (title, zone field, role select, status pill). HTML has no
 * includes, so `<!-- partial:NAME -->` is replaced by src/web/partials/NAME.html at build and
 * dev time: one copy of the markup, and still plain HTML with no inline script or style.
 */
function htmlPartials(): Plugin {
  return {
    name: 'vigil-html-partials',
    transformIndexHtml: {
      order: 'pre',
      handler: (html) =>
        html.replace(/<!--\s*partial:([a-z-]+)\s*-->/g, (_match, name: string) =>
          readFileSync(`${webRoot}partials/${name}.html`, 'utf8').trim(),
        ),
    },
  };
}

/** The pages: operator console (index.html), camera node, sign-in, administration and audit. */
export default defineConfig({
  root: 'src/web',
  base: '/',
  plugins: [htmlPartials()],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    // The gateway's CSP allows script and style from 'self' only: the module-preload polyfill
    // would be an inline script, so it is left out (every browser with WebRTC has modulepreload).
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        console: `${webRoot}index.html`,
        camera: `${webRoot}camera.html`,
        login: `${webRoot}login.html`,
        admin: `${webRoot}admin.html`,
        audit: `${webRoot}audit.html`,
      },
      output: {
        // What both pages use (npm packages, src/shared, src/web/lib, styles) goes in one cached
        // `common` chunk, instead of one named after whichever module came first.
        manualChunks: (id: string) => (/\/src\/web\/(console|camera|login|admin|audit)\/|\.html$/.test(id) ? undefined : 'common'),
      },
    },
  },
  server: {
    // `npx vite` for UI work: signalling goes to a gateway started with `npm start`.
    proxy: { '/socket.io': { target: 'https://localhost:8443', ws: true, secure: false } },
  },
});

import { VantResolver } from '@vant/auto-import-resolver';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { defineConfig, type Plugin } from 'vite';
import { compression, defineAlgorithm } from 'vite-plugin-compression2';

/**
 * Vant's icon font ships inline (woff2, data: URL) with a fallback on Alibaba's CDN. Every browser
 * we support reads woff2, the CSP allows fonts only from 'self' and data:, and a government app
 * should not call a third-party CDN from residents' phones: drop the fallback. The inline font is
 * also most of the entry stylesheet (25 of its 32 KB brotli), which blocks the first paint of every
 * page: it becomes a file of its own (hashed, cached for a year), fetched only when an icon shows.
 */
function vantIconFontLocalOnly(): Plugin {
  return {
    name: 'linli:vant-icon-font-local-only',
    enforce: 'pre',
    transform(code, id) {
      if (!/vant[\\/]es[\\/]icon[\\/]index\.css/.test(id)) return null;
      const local = code.replace(/,\s*url\([^)]*alicdn\.com[^)]*\)\s*format\(["']woff["']\)/g, '');
      return {
        code: local.replace(
          /url\(["']?data:font\/woff2;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)["']?\)/,
          (_, b64: string) => {
            const ref = this.emitFile({
              type: 'asset',
              name: 'vant-icon.woff2',
              source: Buffer.from(b64, 'base64'),
            });
            // Vite's CSS plugin turns this placeholder into the emitted file's hashed URL.
            return `url(__VITE_ASSET__${ref}__)`;
          },
        ),
        map: null,
      };
    },
  };
}

// The resident app (mobile H5). Served by the API server at / in production (SPA fallback there).
export default defineConfig({
  base: '/',
  plugins: [
    vantIconFontLocalOnly(),
    vue(),
    // Vant on demand: each page's chunk carries only the components (and their CSS) it uses.
    // Function APIs (showToast, showDialog…) and their styles are imported by hand.
    Components({
      resolvers: [VantResolver()],
      dts: 'src/components.d.ts',
      // Our own components are imported explicitly.
      dirs: [],
    }),
    // A .br and a .gz beside every text file over 1 KB, public/ included: the server sends them
    // as they are (@fastify/static preCompressed), so nothing is compressed per request (decision 37).
    compression({
      algorithms: ['brotliCompress', defineAlgorithm('gzip', { level: 9 })],
      include: /\.(html|js|mjs|css|svg|json|webmanifest)$/,
      threshold: 1024,
      // Vite's own report already gives each file's gzip size.
      logLevel: 'silent',
    }),
  ],
  resolve: {
    alias: { '@': new URL('./src', import.meta.url).pathname },
  },
  define: {
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'false',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'false',
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: 'http://localhost:3000', changeOrigin: false } },
  },
  build: {
    // WeChat's in-app browser (XWeb, Chromium-based) and iOS WKWebView both run ES2020.
    target: ['es2020', 'safari14', 'chrome87'],
    cssTarget: ['safari14', 'chrome87'],
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            // What the entry needs of Vant (tab bar, icon, toast, dialog) and Vue under it: one file.
            { name: 'vendor', test: /node_modules[\\/]vant[\\/]/, tags: ['$initial'], priority: 2 },
            // Vant's components and styles that pages load lazily, one chunk for all pages instead of
            // a file per component and per style: the home page fetched 30 of them after its own
            // chunk, six at a time over HTTP/1.1 (decision 48).
            { name: 'vant', test: /node_modules[\\/](vant|@vant)[\\/]/, priority: 1 },
          ],
        },
      },
    },
  },
});

import { baseCompile } from '@intlify/message-compiler';
import { VantResolver } from '@vant/auto-import-resolver';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { defineConfig, parseAst, type Plugin } from 'vite';
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

/**
 * vue-i18n compiles each message the first time it is shown, in the phone's browser, with a
 * message compiler that ships in the entry chunk. Our messages are TypeScript modules (typed
 * against the Chinese reference and the API's error codes), which @intlify/unplugin-vue-i18n does
 * not precompile (it takes JSON/YAML, or a module that is one `export default` literal). So at
 * build time every string in `src/locales/**` is replaced by the AST vue-i18n's own compiler
 * (@intlify/message-compiler, the version vue-i18n ships with) makes of it — what vue-i18n would
 * have made of it at run time — and the app uses vue-i18n's runtime build with the compiler
 * dropped (`__INTLIFY_DROP_MESSAGE_COMPILER__`). A message the compiler rejects fails the build.
 */
function precompileMessages(): Plugin {
  type Node = { type: string; start: number; end: number; [k: string]: unknown };
  return {
    name: 'linli:precompile-messages',
    // After the TypeScript transform: the module is plain JavaScript here.
    enforce: 'post',
    transform(code, id) {
      if (!/[\\/]src[\\/]locales[\\/].+\.ts$/.test(id)) return null;
      const edits: { start: number; end: number; text: string }[] = [];
      const visit = (node: unknown, key: string): void => {
        if (!node || typeof node !== 'object') return;
        if (Array.isArray(node)) {
          for (const n of node) visit(n, key);
          return;
        }
        const n = node as Node;
        if (n.type === 'Property' && !n.computed) {
          const k = n.key as Node & { name?: string; value?: unknown };
          const path = key ? `${key}.${k.name ?? k.value}` : String(k.name ?? k.value);
          const v = n.value as Node & { value?: unknown };
          if (v.type === 'Literal' && typeof v.value === 'string') {
            const { ast } = baseCompile(v.value, {
              jit: true,
              location: false,
              minify: true,
              onError: (e) => {
                throw new Error(`${id}: message ${path} does not compile: ${e.message}`);
              },
            });
            edits.push({ start: v.start, end: v.end, text: JSON.stringify(ast) });
            return;
          }
          visit(v, path);
          return;
        }
        for (const [k, child] of Object.entries(n)) if (k !== 'type') visit(child, key);
      };
      visit(parseAst(code), '');
      let out = code;
      for (const e of edits.sort((a, b) => b.start - a.start))
        out = out.slice(0, e.start) + e.text + out.slice(e.end);
      return { code: out, map: null };
    },
  };
}

// The resident app (mobile H5). Served by the API server at / in production (SPA fallback there).
export default defineConfig({
  base: '/',
  plugins: [
    vantIconFontLocalOnly(),
    precompileMessages(),
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
    alias: [
      { find: '@', replacement: new URL('./src', import.meta.url).pathname },
      // The runtime build: messages arrive compiled (precompileMessages), no compiler in the app.
      { find: /^vue-i18n$/, replacement: 'vue-i18n/dist/vue-i18n.runtime.esm-bundler.js' },
    ],
  },
  define: {
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'false',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'true',
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

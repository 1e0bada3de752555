import vue from '@vitejs/plugin-vue';
import AutoImport from 'unplugin-auto-import/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import Components from 'unplugin-vue-components/vite';
import { compression, defineAlgorithm } from 'vite-plugin-compression2';
import { defineConfig } from 'vite';

// Declarations of the auto-imported components and function APIs are committed (vue-tsc needs them
// before any build) and regenerated only on request, so a build never rewrites sources:
//   LINLI_DTS=1 npm run build -w apps/console && npx biome format --write apps/console/src/types
const writeDts = process.env.LINLI_DTS === '1';

// The staff console. Served by the API server at /console/ in production (SPA fallback there).
export default defineConfig({
  base: '/console/',
  plugins: [
    vue(),
    // Element Plus on demand: only the components and function APIs (ElMessage…) a page uses,
    // each with its own CSS, end up in that page's chunk.
    AutoImport({
      resolvers: [ElementPlusResolver()],
      dts: writeDts ? 'src/types/auto-imports.d.ts' : false,
    }),
    Components({
      resolvers: [ElementPlusResolver()],
      dts: writeDts ? 'src/types/components.d.ts' : false,
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
    // Element Plus's tree-select option extends ElOption (`extends` is Options API): keep it on.
    __VUE_OPTIONS_API__: 'true',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'true',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
  },
  server: {
    port: 5174,
    proxy: { '/api': { target: 'http://localhost:3000', changeOrigin: false } },
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 700,
  },
});

import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { i18n, restoreLocale } from './locales';
import { router } from './router';
import './styles/index.css';
// Function-API styles (ElMessage, ElMessageBox) used across pages.
import 'element-plus/es/components/message/style/css';
import 'element-plus/es/components/message-box/style/css';

async function start() {
  await restoreLocale();
  const app = createApp(App);
  app.use(createPinia());
  app.use(i18n);
  app.use(router);
  app.mount('#app');
}

void start();

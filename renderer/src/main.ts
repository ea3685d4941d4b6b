import { createPinia } from 'pinia';
import { createApp } from 'vue';
import type { ColtLabBridge } from '../../electron/bridge-types.js';
import App from './App.vue';
import { createClient, setClient } from './api/index.js';
import { useNavStore } from './stores/nav.js';
import './styles/app.css';

// One client for the page: IPC inside Electron, HTTP + WebSocket in a browser (see api/index.ts).
setClient(createClient(window as Window & { coltLab?: ColtLabBridge }));
const app = createApp(App);
app.use(createPinia());
useNavStore().listen();
app.mount('#app');

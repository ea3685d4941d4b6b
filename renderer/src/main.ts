import { createApp, h } from 'vue';

createApp({ render: () => h('h1', 'COLT Lab') }).mount('#app');

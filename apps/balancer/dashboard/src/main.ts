// Entry of the dashboard bundle (esbuild, scripts/build-dashboard.ts): styles and the page.
import 'uplot/dist/uPlot.min.css';
import '../styles.css';
import { render } from 'preact';
import { App } from './app.js';
import { html } from './html.js';

const root = document.getElementById('app');
if (root !== null) render(html`<${App} />`, root);

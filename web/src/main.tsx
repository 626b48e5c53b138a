import { render } from 'preact';
import { App } from './app';
import { initAuth } from './auth';
import './styles.css';

const root = document.getElementById('app');
if (root === null) throw new Error('no #app element');

initAuth()
  .then(() => render(<App />, root))
  .catch((error: unknown) => {
    root.textContent = error instanceof Error ? error.message : String(error);
  });

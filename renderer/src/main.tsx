import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createTransport } from './transport/createTransport';
import './styles.css';

// `veil serve` hands out its address with `?token=`; the server has traded it for an HttpOnly cookie by now. Drop it
// from the address bar so it does not linger in history or get copied along with the URL. It is never read here.
if (new URLSearchParams(location.search).has('token')) {
  history.replaceState(null, '', location.pathname + location.hash);
}

const container = document.getElementById('root');
if (container === null) throw new Error('renderer: #root is missing from index.html');
createRoot(container).render(
  <StrictMode>
    <App transport={createTransport()} />
  </StrictMode>,
);

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import './app/global.css';
import { loadRuntimeConfig } from './app/runtime-config';
import { createUserManager } from './auth/auth';
import { initI18n, rememberedLanguage } from './i18n/i18n';

async function main() {
  const [config] = await Promise.all([loadRuntimeConfig(), initI18n(rememberedLanguage())]);
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App manager={createUserManager(config)} />
    </StrictMode>,
  );
}

void main();

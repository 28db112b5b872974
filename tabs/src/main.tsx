// First: before any zod schema is built (see the module).
import './content-security-policy';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { OnboardingConsoleApp } from './onboarding-console/console-app';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
createRoot(container).render(
  <StrictMode>
    {/* An onboarding link opens the limited console, not the admin tab. */}
    {window.location.pathname.startsWith('/onboarding') ? <OnboardingConsoleApp /> : <App />}
  </StrictMode>,
);

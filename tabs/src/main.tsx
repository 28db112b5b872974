// First: before any zod schema is built (see the module).
import './content-security-policy';
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';

// The onboarding link's limited console loads its own code; the admin tab does not carry it.
const OnboardingConsoleApp = lazy(() => import('./onboarding-console/console-app').then((m) => ({ default: m.OnboardingConsoleApp })));

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
createRoot(container).render(
  <StrictMode>
    {/* An onboarding link opens the limited console, not the admin tab. */}
    <Suspense fallback={null}>{window.location.pathname.startsWith('/onboarding') ? <OnboardingConsoleApp /> : <App />}</Suspense>
  </StrictMode>,
);

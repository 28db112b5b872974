import { useEffect, useState } from 'react';

/** The tab's screens, addressed by the URL's hash so Back works and a screen can be linked to. */
export type Screen =
  | { name: 'dashboard' }
  | { name: 'microsoft' }
  | { name: 'employees' }
  | { name: 'employee'; employeeId: string }
  | { name: 'missing' }
  | { name: 'history' }
  | { name: 'csv-import' }
  | { name: 'people' };

export function screenFromHash(hash: string): Screen {
  const [first, second] = hash.replace(/^#\/?/, '').split('/');
  switch (first) {
    case 'microsoft':
      return { name: 'microsoft' };
    case 'employees':
      return second ? { name: 'employee', employeeId: decodeURIComponent(second) } : { name: 'employees' };
    case 'missing':
      return { name: 'missing' };
    case 'history':
      return { name: 'history' };
    case 'csv-import':
      return { name: 'csv-import' };
    case 'people':
      return { name: 'people' };
    default:
      return { name: 'dashboard' };
  }
}

export function hashOf(screen: Screen): string {
  switch (screen.name) {
    case 'employee':
      return `#/employees/${encodeURIComponent(screen.employeeId)}`;
    case 'dashboard':
      return '#/';
    default:
      return `#/${screen.name}`;
  }
}

export function navigate(screen: Screen): void {
  window.location.hash = hashOf(screen);
}

/** Entra's consent page comes back to `/?consent=…`: the answer belongs to Microsoft Users Sync. */
function initialScreen(): Screen {
  return new URLSearchParams(window.location.search).has('consent') ? { name: 'microsoft' } : screenFromHash(window.location.hash);
}

export function useScreen(): Screen {
  const [screen, setScreen] = useState(initialScreen);
  useEffect(() => {
    const update = () => setScreen(screenFromHash(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return screen;
}

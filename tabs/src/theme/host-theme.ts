import { useEffect, useState } from 'react';
import type { TeamsHost } from '../sign-in/teams-host';

/**
 * The theme name to show, in Teams' words (`default`, `dark`, `contrast`): inside Teams the
 * host's theme, followed live; in a browser the system's preference (forced colors count
 * as high contrast), followed live too.
 */
export function useHostTheme(teams: TeamsHost | null | undefined): string {
  const [theme, setTheme] = useState<string>(() => teams?.theme ?? browserTheme());
  useEffect(() => {
    if (teams) {
      setTheme(teams.theme);
      teams.onThemeChange(setTheme);
      return undefined;
    }
    if (typeof window.matchMedia !== 'function') return undefined;
    const queries = ['(prefers-color-scheme: dark)', '(forced-colors: active)'].map((q) => window.matchMedia(q));
    const update = () => setTheme(browserTheme());
    update();
    for (const query of queries) query.addEventListener('change', update);
    return () => queries.forEach((query) => query.removeEventListener('change', update));
  }, [teams]);
  return theme;
}

function browserTheme(): string {
  if (typeof window === 'undefined' || typeof window.matchMedia !== 'function') return 'default';
  if (window.matchMedia('(forced-colors: active)').matches) return 'contrast';
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'default';
}

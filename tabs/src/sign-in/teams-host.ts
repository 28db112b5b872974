import { app } from '@microsoft/teams-js';

export interface TeamsHost {
  theme: string;
  tenantId: string | undefined;
  loginHint: string | undefined;
  /** `authentication` when this page is the pop-up Teams opened for a sign-in or a consent. */
  frameContext: string | undefined;
  onThemeChange(handler: (theme: string) => void): void;
}

/** How long the tab waits for Teams before deciding it runs in a plain browser. */
export const TEAMS_WAIT_MS = 2000;

/**
 * Connects to the Teams host when the tab runs inside Teams. Outside Teams,
 * `app.initialize()` never answers, so it gives up after TEAMS_WAIT_MS; a page that is
 * not in a frame or a Teams window cannot be in Teams at all and is decided at once.
 */
export async function connectToTeams(waitMs = TEAMS_WAIT_MS): Promise<TeamsHost | null> {
  const framed = window.parent !== window || window.opener != null || /Teams\//.test(navigator.userAgent);
  if (!framed) return null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gaveUp = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), waitMs)));
  try {
    const context = await Promise.race([app.initialize().then(() => app.getContext()), gaveUp]);
    if (!context) return null;
    app.notifySuccess();
    return {
      theme: context.app.theme,
      tenantId: context.user?.tenant?.id,
      loginHint: context.user?.loginHint,
      frameContext: context.page?.frameContext,
      onThemeChange: (handler) => app.registerOnThemeChangeHandler(handler),
    };
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

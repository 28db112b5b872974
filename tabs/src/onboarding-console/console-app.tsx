import { FluentProvider, teamsLightTheme } from '@fluentui/react-components';
import { signInWithBrowser } from '../sign-in/browser-sign-in';
import { loadTabSettings } from '../sign-in/tab-settings';
import { OnboardingConsoleScreen } from './onboarding-console';

/** The page `/onboarding#<secret>` opens: outside Teams, in the browser's light theme, MSAL for the Microsoft sign-in. */
export function OnboardingConsoleApp() {
  return (
    <FluentProvider theme={teamsLightTheme} style={{ minHeight: '100vh' }}>
      <OnboardingConsoleScreen microsoftSignIn={async () => signInWithBrowser(await loadTabSettings())} />
    </FluentProvider>
  );
}

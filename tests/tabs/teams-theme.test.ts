import { teamsDarkTheme, teamsHighContrastTheme, teamsLightTheme } from '@fluentui/react-components';
import { fluentThemeFor } from '@users-sync/tabs/theme/teams-theme';

describe('the tab follows the Teams theme', () => {
  it.each([
    ['default', teamsLightTheme],
    ['dark', teamsDarkTheme],
    ['contrast', teamsHighContrastTheme],
    [undefined, teamsLightTheme],
    ['something-new', teamsLightTheme],
  ])('Teams theme %s shows the matching Fluent theme', (teams, fluent) => {
    expect(fluentThemeFor(teams)).toBe(fluent);
  });
});

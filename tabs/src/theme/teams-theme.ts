import { teamsDarkTheme, teamsHighContrastTheme, teamsLightTheme, type Theme } from '@fluentui/react-components';

/** Teams names its themes `default`, `dark` and `contrast`; anything else is the light one. */
export type TeamsThemeName = 'default' | 'dark' | 'contrast';

export function fluentThemeFor(teamsTheme: string | undefined): Theme {
  switch (teamsTheme) {
    case 'dark':
      return teamsDarkTheme;
    case 'contrast':
      return teamsHighContrastTheme;
    default:
      return teamsLightTheme;
  }
}

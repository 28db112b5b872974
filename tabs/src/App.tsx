import { Body1, Card, CardHeader, FluentProvider, Subtitle1, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { fluentThemeFor } from './theme/teams-theme';

const useStyles = makeStyles({
  page: { minHeight: '100vh', padding: tokens.spacingHorizontalXXL, boxSizing: 'border-box', display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  card: { maxWidth: '560px' },
});

export function App({ teamsTheme }: { teamsTheme?: string }) {
  const styles = useStyles();
  return (
    <FluentProvider theme={fluentThemeFor(teamsTheme)}>
      <main className={styles.page}>
        <Title2 as="h1">Users Sync</Title2>
        <Card className={styles.card}>
          <CardHeader header={<Subtitle1>Microsoft Users Sync</Subtitle1>} />
          <Body1>Keep your employee list identical to Microsoft Entra ID, without CSV files.</Body1>
        </Card>
      </main>
    </FluentProvider>
  );
}

import { Avatar, Body1Strong, Button, Caption1, Menu, MenuItem, MenuList, MenuPopover, MenuTrigger, Spinner, Tab, TabList, makeStyles, tokens } from '@fluentui/react-components';
import { lazy, Suspense } from 'react';
import { useTab } from '../api/api-context';
import { Dashboard } from '../screens/dashboard/dashboard';
import { EmployeeDetail } from '../screens/employees/employee-detail';
import { EmployeesPage } from '../screens/employees/employees-page';
import { HeldRunBanner } from '../screens/microsoft/held-run-banner';
import { MicrosoftSyncPage } from '../screens/microsoft/microsoft-sync-page';
import { CsvImportPage } from '../screens/csv-import/csv-import-page';
import { PeoplePage } from '../screens/people/people-page';
import { SomeoneMissing } from '../screens/someone-missing/someone-missing';
import type { Session } from '../sign-in/session';
import { navigate, useScreen, type Screen } from './navigation';

// The history chart is the heaviest part of the tab: it loads only when the page opens.
const HistoryPage = lazy(() => import('../screens/history/history-page'));

const useStyles = makeStyles({
  shell: { minHeight: '100vh', display: 'flex', flexDirection: 'column', backgroundColor: tokens.colorNeutralBackground2 },
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    flexWrap: 'wrap',
  },
  brand: { display: 'flex', flexDirection: 'column', flexGrow: 1, minWidth: 0 },
  nav: { overflowX: 'auto', backgroundColor: tokens.colorNeutralBackground1, paddingLeft: tokens.spacingHorizontalS },
  main: { flexGrow: 1, padding: tokens.spacingHorizontalL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '1200px', width: '100%', boxSizing: 'border-box', margin: '0 auto' },
});

const sections = [
  { value: 'dashboard', label: 'Dashboard' },
  { value: 'employees', label: 'Employees' },
  { value: 'missing', label: 'Someone missing?' },
  { value: 'history', label: 'Sync history' },
  { value: 'people', label: 'People' },
] as const;

function sectionOf(screen: Screen): string {
  if (screen.name === 'employee' || screen.name === 'csv-import') return 'employees';
  return screen.name === 'microsoft' ? 'dashboard' : screen.name;
}

/** The signed-in tab: header with the organization and the account, the sections, the held-run banner and the current screen. */
export function AppShell({ session }: { session: Session }) {
  const styles = useStyles();
  const { me } = useTab();
  const screen = useScreen();
  return (
    <div className={styles.shell}>
      <header className={styles.header}>
        <div className={styles.brand}>
          <Body1Strong>Users Sync</Body1Strong>
          <Caption1 truncate wrap={false}>
            {me.organization.name}
          </Caption1>
        </div>
        <Menu>
          <MenuTrigger disableButtonEnhancement>
            <Button appearance="subtle" icon={<Avatar name={me.user.name} size={24} aria-hidden />}>
              {me.user.name}
            </Button>
          </MenuTrigger>
          <MenuPopover>
            <MenuList>
              <MenuItem disabled>
                {me.user.email} · {me.user.role === 'owner' ? 'Owner' : 'Admin'}
              </MenuItem>
              {session.signOut && <MenuItem onClick={() => void session.signOut?.()}>Sign out</MenuItem>}
            </MenuList>
          </MenuPopover>
        </Menu>
      </header>
      <nav className={styles.nav} aria-label="Users Sync sections">
        <TabList selectedValue={sectionOf(screen)} onTabSelect={(_e, data) => navigate({ name: data.value as 'dashboard' })}>
          {sections.map((section) => (
            <Tab key={section.value} value={section.value}>
              {section.label}
            </Tab>
          ))}
        </TabList>
      </nav>
      <main className={styles.main}>
        <HeldRunBanner />
        <CurrentScreen screen={screen} />
      </main>
    </div>
  );
}

function CurrentScreen({ screen }: { screen: Screen }) {
  switch (screen.name) {
    case 'microsoft':
      // The guide's drawer opens over the dashboard it was opened from.
      return (
        <>
          <Dashboard />
          <MicrosoftSyncPage />
        </>
      );
    case 'employees':
      return <EmployeesPage />;
    case 'employee':
      return <EmployeeDetail key={screen.employeeId} employeeId={screen.employeeId} />;
    case 'csv-import':
      return <CsvImportPage />;
    case 'people':
      return <PeoplePage />;
    case 'missing':
      return <SomeoneMissing />;
    case 'history':
      return (
        <Suspense fallback={<Spinner label="Loading the sync history…" />}>
          <HistoryPage />
        </Suspense>
      );
    default:
      return <Dashboard />;
  }
}

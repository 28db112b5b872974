import {
  Badge, Body1, Button, Caption1, Card, Field, Input, Link, MessageBar, MessageBarBody, MessageBarTitle, Spinner, Subtitle2, makeStyles, tokens,
} from '@fluentui/react-components';
import { presenceVerdictTitles, type PresenceAnswer } from '@users-sync/api/contract';
import { useState, type FormEvent } from 'react';
import type { ApiProblem } from '../../api/api-client';
import { useTab } from '../../api/api-context';
import { asProblem } from '../../api/use-resource';
import { hashOf, navigate } from '../../shell/navigation';
import { PageHeading } from '../../shell/page-heading';
import { ProblemMessage } from '../../shell/problem-message';

const useStyles = makeStyles({
  form: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'end', flexWrap: 'wrap' },
  field: { flexGrow: 1, minWidth: '220px' },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

const intents: Record<PresenceAnswer['verdict'], 'success' | 'warning' | 'info' | 'error'> = {
  synced: 'success',
  not_synced_yet: 'info',
  not_found: 'warning',
  several_matches: 'info',
  disabled: 'warning',
  guest_excluded: 'warning',
  no_usable_email: 'warning',
  excluded: 'warning',
  outside_scope: 'warning',
};

/** "Someone missing?": an admin types an email or a name and learns why that person is or is not in the directory. */
export function SomeoneMissing() {
  const styles = useStyles();
  const { api } = useTab();
  const [query, setQuery] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<PresenceAnswer | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  const ask = async (text: string) => {
    setBusy(true);
    setProblem(null);
    try {
      setAnswer(await api.call('whyInDirectory', { query: { query: text } }));
    } catch (error) {
      setAnswer(null);
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (query.trim()) void ask(query.trim());
  };

  return (
    <>
      <PageHeading>Someone missing?</PageHeading>
      <Body1>Type the email address or the name of a person to learn why they are, or are not, in your employee list.</Body1>
      <form className={styles.form} onSubmit={submit} role="search">
        <Field label="Email or name" className={styles.field} validationMessage={problem?.fields.query} validationState={problem?.fields.query ? 'error' : 'none'}>
          <Input value={query} onChange={(_e, data) => setQuery(data.value)} placeholder="ann.lee@contoso.com" />
        </Field>
        <Button appearance="primary" type="submit" disabled={busy || !query.trim()}>
          Find out
        </Button>
      </form>
      {busy && <Spinner size="small" label="Asking Microsoft 365…" />}
      {problem && !problem.fields.query && <ProblemMessage problem={problem} title="The question could not be answered" />}
      {answer && !busy && <PresenceCard answer={answer} onPick={(email) => { setQuery(email); void ask(email); }} />}
    </>
  );
}

function PresenceCard({ answer, onPick }: { answer: PresenceAnswer; onPick: (email: string) => void }) {
  const styles = useStyles();
  const verdict = { title: presenceVerdictTitles[answer.verdict], intent: intents[answer.verdict] };
  return (
    <Card data-testid="presence-answer" data-verdict={answer.verdict}>
      <MessageBar intent={verdict.intent} layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{verdict.title}</MessageBarTitle>
          {answer.message}
        </MessageBarBody>
      </MessageBar>
      {answer.person && (
        <Body1>
          <b>{answer.person.displayName ?? answer.person.userPrincipalName}</b> {answer.person.email ? <Caption1>· {answer.person.email}</Caption1> : null}{' '}
          {answer.person.accountEnabled === false && <Badge color="warning">disabled</Badge>} {answer.person.userType === 'Guest' && <Badge color="informative">guest</Badge>}
        </Body1>
      )}
      {answer.matches.length > 0 && (
        <>
          <Subtitle2 as="h2">Who did you mean?</Subtitle2>
          <ul className={styles.list}>
            {answer.matches.map((person) => (
              <li key={person.entraObjectId}>
                {person.email ? (
                  <Link as="button" onClick={() => onPick(person.email!)}>
                    {person.displayName ?? person.email}
                  </Link>
                ) : (
                  person.displayName
                )}{' '}
                <Caption1>{person.email ?? person.userPrincipalName}</Caption1>
              </li>
            ))}
          </ul>
          {answer.moreMatches && <Caption1>More people match: type more of the name or the email.</Caption1>}
        </>
      )}
      <Caption1>Synchronized users: {answer.scope.description}</Caption1>
      {answer.groups.length > 0 && (
        <Caption1>
          {answer.verdict === 'outside_scope' ? 'Their groups' : 'In scope through'}: {answer.groups.map((g) => g.displayName ?? g.id).join(', ')}
        </Caption1>
      )}
      {answer.exclusion && <Caption1>Matching exclusion: {answer.exclusion}</Caption1>}
      {answer.employee && (
        <Caption1>
          Employee record: {answer.employee.status}
          {answer.employee.lastChange ? ` · last ${answer.employee.lastChange.action} ${new Date(answer.employee.lastChange.at).toLocaleString()}` : ''} ·{' '}
          <Link href={hashOf({ name: 'employee', employeeId: answer.employee.id })} onClick={(event) => { event.preventDefault(); navigate({ name: 'employee', employeeId: answer.employee!.id }); }}>
            open
          </Link>
        </Caption1>
      )}
    </Card>
  );
}

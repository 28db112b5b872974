import { Badge, Body1, Button, Field, Input, Spinner, Subtitle2, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, makeStyles, tokens } from '@fluentui/react-components';
import type { z } from 'zod';
import type { accountPersonSchema } from '@users-sync/api/contract';
import { useState } from 'react';
import type { ApiProblem } from '../../api/api-client';
import { useTab } from '../../api/api-context';
import { asProblem, useResource } from '../../api/use-resource';
import { PageHeading } from '../../shell/page-heading';
import { ProblemMessage } from '../../shell/problem-message';

type Person = z.infer<typeof accountPersonSchema>;

const useStyles = makeStyles({
  tableWrap: { overflowX: 'auto', backgroundColor: tokens.colorNeutralBackground1, borderRadius: tokens.borderRadiusMedium },
  form: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'end', flexWrap: 'wrap' },
});

/** How a person got their role, in words. */
export function howTheyJoined(person: Person): string {
  if (person.invited) return 'Added by the owner — joins at first sign-in';
  switch (person.grantedBy) {
    case 'created_the_account':
      return 'Created the account';
    case 'microsoft_admin':
      return 'Signed in as a Microsoft admin';
    case 'added_by_owner':
      return 'Added by the owner';
    case 'became_owner':
      return 'Took ownership or was handed it';
  }
}

/** The account's people: the owner and the admins; the owner adds and removes admins. */
export function PeoplePage() {
  const styles = useStyles();
  const { api, me } = useTab();
  const people = useResource((signal) => api.call('listAccountPeople', { signal }), 'people');
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const isOwner = me.user.role === 'owner';

  const change = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setProblem(null);
    try {
      await work();
      setEmail('');
      people.reload();
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeading>People</PageHeading>
      <Body1>Who can use Users Sync for {me.organization.name}. Microsoft admins of your tenant join as admins when they sign in.</Body1>
      {people.state === 'error' && <ProblemMessage problem={people.problem} title="The people could not be loaded" onRetry={people.reload} />}
      {!people.data && people.state === 'loading' && <Spinner label="Loading people…" />}
      {people.data && (
        <div className={styles.tableWrap}>
          <Table aria-label="Owner and admins">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Role</TableHeaderCell>
                <TableHeaderCell>How</TableHeaderCell>
                {isOwner && (
                  <TableHeaderCell>
                    <span className="visually-hidden">Actions</span>
                  </TableHeaderCell>
                )}
              </TableRow>
            </TableHeader>
            <TableBody>
              {people.data.people.map((person) => (
                <TableRow key={person.id}>
                  <TableCell>
                    {person.name === person.email ? person.email : `${person.name} (${person.email})`}
                  </TableCell>
                  <TableCell>
                    <Badge appearance="tint" color={person.role === 'owner' ? 'brand' : 'informative'}>
                      {person.role === 'owner' ? 'Owner' : 'Admin'}
                    </Badge>
                  </TableCell>
                  <TableCell>{howTheyJoined(person)}</TableCell>
                  {isOwner && (
                    <TableCell>
                      {person.role === 'admin' && (
                        <Button size="small" disabled={busy} aria-label={`Remove ${person.email}`} onClick={() => void change(() => api.call('removeAccountAdmin', { params: { personId: person.id } }))}>
                          Remove
                        </Button>
                      )}
                    </TableCell>
                  )}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      {isOwner && (
        <>
          <Subtitle2 as="h2">Add an admin</Subtitle2>
          <div className={styles.form}>
            <Field label="Email" validationMessage={problem?.fields['email']} validationState={problem?.fields['email'] ? 'error' : 'none'}>
              <Input type="email" value={email} onChange={(_e, data) => setEmail(data.value)} disabled={busy} />
            </Field>
            <Button appearance="primary" disabled={busy || email.trim() === ''} onClick={() => void change(() => api.call('addAccountAdmin', { body: { email } }))}>
              Add admin
            </Button>
          </div>
        </>
      )}
      {problem && !problem.fields['email'] && <ProblemMessage problem={problem} title="The change could not be made" />}
    </>
  );
}

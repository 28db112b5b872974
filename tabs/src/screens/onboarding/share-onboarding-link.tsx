import {
  Badge, Body1, Button, Caption1, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, DialogTrigger, Field, Input,
  MessageBar, MessageBarBody, MessageBarTitle, Subtitle2, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, makeStyles, tokens,
} from '@fluentui/react-components';
import type { OnboardingLink } from '@users-sync/api/contract';
import { useState } from 'react';
import type { ApiProblem } from '../../api/api-client';
import { useTab } from '../../api/api-context';
import { asProblem, useResource } from '../../api/use-resource';
import { ProblemMessage } from '../../shell/problem-message';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'end', flexWrap: 'wrap' },
  url: { flexGrow: 1, minWidth: '240px' },
  tableWrap: { overflowX: 'auto' },
  // Columns as wide as what they hold: a long email must not run under its state.
  table: { tableLayout: 'auto' },
  email: { wordBreak: 'break-word' },
});

const stateBadge: Record<OnboardingLink['state'], { label: string; color: 'informative' | 'brand' | 'success' | 'subtle' | 'danger' }> = {
  pending: { label: 'Pending', color: 'informative' },
  opened: { label: 'Opened', color: 'brand' },
  completed: { label: 'Completed', color: 'success' },
  expired: { label: 'Expired', color: 'subtle' },
  revoked: { label: 'Revoked', color: 'danger' },
};

const day = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString() : '—');

/** What the dialog says after generating: sent in Teams, or the person must send the link. */
export function deliveryText(link: OnboardingLink): string {
  if (link.delivery.status === 'delivered') return `Sent to ${link.email} in Teams, with the instructions.`;
  if (link.delivery.status === 'pending') return `Sending to ${link.email} in Teams… You can also copy the link and send it yourself.`;
  return `Copy the link and send it yourself to ${link.email}.`;
}

/** Why Teams did not carry the link, when the api knows: said apart from what to do, so the dialog does not say it twice. */
export function notDeliveredBecause(link: OnboardingLink): string | null {
  return link.delivery.status === 'not_delivered' ? link.delivery.reason : null;
}

/**
 * "Share Onboarding Link": the owner or an admin hands the Microsoft part to a Microsoft
 * admin. The link opens a limited console for 15 days; its URL is shown once.
 */
export function ShareOnboardingLink({ canShare = true }: { canShare?: boolean }) {
  const styles = useStyles();
  const { api } = useTab();
  const links = useResource((signal) => api.call('listOnboardingLinks', { signal }), 'onboarding-links');
  const [open, setOpen] = useState(false);
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [created, setCreated] = useState<{ link: OnboardingLink; url: string } | null>(null);
  const [copied, setCopied] = useState(false);

  const generate = async () => {
    setBusy(true);
    setProblem(null);
    try {
      setCreated(await api.call('createOnboardingLink', { body: { email } }));
      setCopied(false);
      links.reload();
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };
  const copy = async (url: string) => {
    await navigator.clipboard?.writeText(url).then(() => setCopied(true), () => setCopied(false));
  };
  const revoke = async (linkId: string) => {
    try {
      await api.call('revokeOnboardingLink', { params: { linkId } });
    } catch (error) {
      setProblem(asProblem(error));
    }
    links.reload();
  };
  const reset = () => {
    setCreated(null);
    setEmail('');
    setProblem(null);
  };

  const hasLinks = (links.data?.links.length ?? 0) > 0;
  // Once Microsoft 365 is connected there is nothing left to delegate: the links stay listed (completed, or open ones to revoke).
  if (!canShare && !hasLinks) return null;
  return (
    <section className={styles.section} aria-labelledby="onboarding-heading">
      <Subtitle2 as="h2" id="onboarding-heading">
        {canShare ? 'Delegate the integration setup' : 'Onboarding links'}
      </Subtitle2>
      {canShare && <Body1>Not a Microsoft admin? Share an onboarding link with the person who is: it opens a console, valid 15 days, where they connect Microsoft 365 and run the first sync. No Users Sync account needed.</Body1>}
      {canShare && <Dialog open={open} onOpenChange={(_e, data) => { setOpen(data.open); if (!data.open) reset(); }}>
        <DialogTrigger disableButtonEnhancement>
          <Button>Share Onboarding Link</Button>
        </DialogTrigger>
        <DialogSurface aria-describedby="share-description">
          <DialogBody>
            <DialogTitle>Share Onboarding Link</DialogTitle>
            <DialogContent className={styles.form}>
              <Body1 id="share-description">Enter the email of a Global Administrator, Privileged Role Administrator or Cloud Application Administrator of your Microsoft 365. The link works only for them, for 15 days.</Body1>
              {!created && (
                <Field label="Microsoft admin’s email" required validationMessage={problem?.fields['email']} validationState={problem?.fields['email'] ? 'error' : 'none'}>
                  <Input type="email" value={email} onChange={(_e, data) => setEmail(data.value)} disabled={busy} />
                </Field>
              )}
              {problem && !problem.fields['email'] && <ProblemMessage problem={problem} title="The link could not be made" />}
              {created && (
                <>
                  <MessageBar intent={created.link.delivery.status === 'delivered' ? 'success' : 'info'} layout="multiline">
                    <MessageBarBody>
                      <MessageBarTitle>Link ready</MessageBarTitle>
                      {deliveryText(created.link)} It works until {day(created.link.expiresAt)}.
                    </MessageBarBody>
                  </MessageBar>
                  {notDeliveredBecause(created.link) && <Caption1 data-testid="not-delivered-because">Not sent in Teams: {notDeliveredBecause(created.link)}</Caption1>}
                  <div className={styles.row}>
                    <Field label="Onboarding link (shown only now)" className={styles.url}>
                      <Input readOnly value={created.url} />
                    </Field>
                    <Button onClick={() => void copy(created.url)}>{copied ? 'Copied' : 'Copy link'}</Button>
                  </div>
                </>
              )}
            </DialogContent>
            <DialogActions>
              {!created && (
                <Button appearance="primary" disabled={busy || email.trim() === ''} onClick={() => void generate()}>
                  {busy ? 'Generating…' : 'Generate Link'}
                </Button>
              )}
              <DialogTrigger disableButtonEnhancement>
                <Button>{created ? 'Done' : 'Cancel'}</Button>
              </DialogTrigger>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>}
      {links.state === 'error' && <ProblemMessage problem={links.problem} title="The onboarding links could not be read" onRetry={links.reload} />}
      {links.data && links.data.links.length > 0 && (
        <div className={styles.tableWrap}>
          <Table aria-label="Onboarding links" size="small" className={styles.table}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>For</TableHeaderCell>
                <TableHeaderCell>State</TableHeaderCell>
                <TableHeaderCell>Shared by</TableHeaderCell>
                <TableHeaderCell>Created</TableHeaderCell>
                <TableHeaderCell>Expires</TableHeaderCell>
                <TableHeaderCell>
                  <span className="visually-hidden">Actions</span>
                </TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {links.data.links.map((link) => (
                <TableRow key={link.id} data-testid={`onboarding-link-${link.id}`}>
                  <TableCell className={styles.email}>
                    {link.email}
                    {link.delivery.status === 'delivered' && <Caption1> · sent in Teams</Caption1>}
                  </TableCell>
                  <TableCell>
                    <Badge appearance="tint" color={stateBadge[link.state].color}>
                      {stateBadge[link.state].label}
                    </Badge>
                  </TableCell>
                  <TableCell>{link.createdBy.name}</TableCell>
                  <TableCell>{day(link.createdAt)}</TableCell>
                  <TableCell>{day(link.expiresAt)}</TableCell>
                  <TableCell>
                    {(link.state === 'pending' || link.state === 'opened') && (
                      <Button size="small" onClick={() => void revoke(link.id)} aria-label={`Revoke the link for ${link.email}`}>
                        Revoke
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
    </section>
  );
}

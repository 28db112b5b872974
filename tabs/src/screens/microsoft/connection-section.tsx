import {
  Badge, Body1, Button, Caption1, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, DialogTrigger,
  MessageBar, MessageBarBody, MessageBarTitle, Subtitle2, makeStyles, tokens,
} from '@fluentui/react-components';
import { authentication } from '@microsoft/teams-js';
import type { MicrosoftConnection } from '@users-sync/api/contract';
import { useState } from 'react';
import type { ApiProblem } from '../../api/api-client';
import { useTab } from '../../api/api-context';
import { asProblem } from '../../api/use-resource';
import { ProblemMessage } from '../../shell/problem-message';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  permissions: { margin: 0, paddingLeft: tokens.spacingHorizontalL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
});

/** What came back from Entra's consent page, read from the tab's URL (`?consent=…`). */
export interface ConsentOutcome {
  outcome: 'connected' | 'declined' | 'failed';
  code?: string;
  message?: string;
}

export function consentOutcomeFrom(search: string): ConsentOutcome | null {
  const query = new URLSearchParams(search);
  const outcome = query.get('consent');
  if (outcome !== 'connected' && outcome !== 'declined' && outcome !== 'failed') return null;
  return { outcome, code: query.get('code') ?? undefined, message: query.get('message') ?? undefined };
}

function OutcomeMessage({ outcome }: { outcome: ConsentOutcome }) {
  if (outcome.outcome === 'connected')
    return (
      <MessageBar intent="success" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>Connected</MessageBarTitle>
          Users Sync is now connected to your Entra ID directory. Choose which users to synchronize below, then click Save changes and sync users.
        </MessageBarBody>
      </MessageBar>
    );
  if (outcome.outcome === 'declined')
    return (
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>The permissions were not accepted</MessageBarTitle>
          {outcome.message ?? 'Consent was cancelled on the Microsoft permissions page.'} Click Connect to Microsoft 365 again and choose Accept, or ask a Global Administrator of your Microsoft 365 tenant to do it.
          {outcome.code ? ` (code ${outcome.code})` : ''}
        </MessageBarBody>
      </MessageBar>
    );
  return (
    <MessageBar intent="error" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>The connection could not be completed</MessageBarTitle>
        {outcome.message ?? 'Microsoft did not confirm the connection.'} Try Connect to Microsoft 365 again.{outcome.code ? ` (code ${outcome.code})` : ''}
      </MessageBarBody>
    </MessageBar>
  );
}

/**
 * "Connect to Microsoft 365": the application's details and permissions in plain words,
 * the connection's state, and the way to connect, reconnect or disconnect.
 */
export function ConnectionSection({ connection, outcome, onChanged }: { connection: MicrosoftConnection; outcome: ConsentOutcome | null; onChanged: () => void }) {
  const styles = useStyles();
  const { api, me, host } = useTab();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  const connect = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const { consentUrl } = await api.call('startConsent');
      if (host === 'teams') {
        // Entra's consent page cannot show inside Teams' frame: Teams opens it in a pop-up.
        await authentication.authenticate({ url: consentUrl, width: 600, height: 700 }).catch(() => undefined);
        setBusy(false);
        onChanged();
      } else {
        window.location.assign(consentUrl);
      }
    } catch (error) {
      setProblem(asProblem(error));
      setBusy(false);
    }
  };

  const disconnect = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await api.call('disconnect');
      onChanged();
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className={styles.section} aria-labelledby="connection-heading">
      <Subtitle2 as="h2" id="connection-heading">
        Connect to Microsoft 365
      </Subtitle2>
      {outcome && <OutcomeMessage outcome={outcome} />}
      <Body1>Users Sync reads your Entra ID directory with these permissions. Nothing is ever written to Microsoft 365.</Body1>
      <ul className={styles.permissions} aria-label="Permissions requested">
        {connection.permissions.map((permission) => (
          <li key={permission.name}>
            <b>{permission.name}</b> — {permission.description}
          </li>
        ))}
      </ul>
      {connection.status === 'connected' && (
        <div className={styles.row}>
          <Badge appearance="filled" color="success">
            Connected
          </Badge>
          <Body1 data-testid="connected-tenant">
            {connection.tenantName ?? 'Microsoft 365 tenant'} <Caption1>({connection.tenantId})</Caption1>
            {connection.connectedAt ? <Caption1> since {new Date(connection.connectedAt).toLocaleString()}</Caption1> : null}
          </Body1>
          {me.user.role === 'owner' && (
            <Dialog>
              <DialogTrigger disableButtonEnhancement>
                <Button disabled={busy}>Disconnect</Button>
              </DialogTrigger>
              <DialogSurface>
                <DialogBody>
                  <DialogTitle>Disconnect Microsoft 365?</DialogTitle>
                  <DialogContent>Syncs stop. Your employees stay in the directory as they are now. To revoke the app's access in Microsoft 365 too, remove it under Enterprise applications in the Entra admin center.</DialogContent>
                  <DialogActions>
                    <DialogTrigger disableButtonEnhancement>
                      <Button appearance="secondary">Keep connected</Button>
                    </DialogTrigger>
                    <DialogTrigger disableButtonEnhancement>
                      <Button appearance="primary" onClick={() => void disconnect()}>
                        Disconnect
                      </Button>
                    </DialogTrigger>
                  </DialogActions>
                </DialogBody>
              </DialogSurface>
            </Dialog>
          )}
        </div>
      )}
      {connection.status === 'consent_revoked' && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Access was revoked in Microsoft 365</MessageBarTitle>
            The app's consent was removed in your tenant, so syncs stop. Reconnect to grant it again.
          </MessageBarBody>
        </MessageBar>
      )}
      {connection.status !== 'connected' && (
        <>
          <Body1>
            Click the button, select your Microsoft account and, on the permissions page, click <b>Accept</b>. The person who does it must be able to authorize a third-party application in your tenant (a Global Administrator is recommended).
          </Body1>
          <div className={styles.row}>
            <Button appearance="primary" size="large" disabled={busy} onClick={() => void connect()}>
              {connection.status === 'consent_revoked' ? 'Reconnect to Microsoft 365' : 'Connect to Microsoft 365'}
            </Button>
          </div>
        </>
      )}
      {problem && <ProblemMessage problem={problem} title="Microsoft 365 could not be connected" />}
    </section>
  );
}

import {
  Accordion, AccordionHeader, AccordionItem, AccordionPanel, Field, Input, MessageBar, MessageBarBody, MessageBarTitle, Radio, RadioGroup,
  Select, SpinButton, Subtitle2, Switch, Textarea, makeStyles, tokens,
} from '@fluentui/react-components';
import type { SyncConfiguration } from '@users-sync/api/contract';
import { GroupPicker } from './group-picker';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  options: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  inline: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
});

/** The form's own shape: every scope's fields are kept, so switching scope back and forth loses nothing typed. */
export interface ScopeDraft {
  kind: SyncConfiguration['scope']['kind'];
  groupName: string;
  groupIds: string[];
  includeGuests: boolean;
  exclusions: string;
  scheduleOn: boolean;
  intervalMinutes: number;
  guardOn: boolean;
  guardPercent: number;
  guardMinCount: number;
}

export function draftFrom(configuration: SyncConfiguration): ScopeDraft {
  const { scope } = configuration;
  return {
    kind: scope.kind,
    groupName: scope.kind === 'group_name' ? scope.groupName : 'arsen',
    groupIds: scope.kind === 'groups' ? scope.groupIds : [],
    includeGuests: configuration.includeGuests,
    exclusions: configuration.exclusions.join('\n'),
    scheduleOn: configuration.schedule !== null,
    intervalMinutes: configuration.schedule?.intervalMinutes ?? 60,
    guardOn: configuration.deletionGuard.enabled,
    guardPercent: Math.round(configuration.deletionGuard.maxShare * 100),
    guardMinCount: configuration.deletionGuard.minCount,
  };
}

/** The configuration the api receives; the api's schema checks it and names any field it refuses. */
export function configurationFrom(draft: ScopeDraft): SyncConfiguration {
  const scope: SyncConfiguration['scope'] =
    draft.kind === 'all' ? { kind: 'all' } : draft.kind === 'group_name' ? { kind: 'group_name', groupName: draft.groupName } : { kind: 'groups', groupIds: draft.groupIds };
  return {
    scope,
    includeGuests: draft.includeGuests,
    exclusions: draft.exclusions.split(/[\n,;]+/).map((line) => line.trim()).filter(Boolean),
    schedule: draft.scheduleOn ? { intervalMinutes: draft.intervalMinutes } : null,
    deletionGuard: { enabled: draft.guardOn, maxShare: draft.guardPercent / 100, minCount: draft.guardMinCount },
  };
}

/** A SpinButton gives `value` when spun and only `displayValue` when typed; anything unreadable keeps the last number. */
function spunNumber(data: { value?: number | null; displayValue?: string }, previous: number): number {
  if (typeof data.value === 'number') return data.value;
  const typed = Number(data.displayValue);
  return data.displayValue !== undefined && Number.isFinite(typed) ? typed : previous;
}

const intervals = [
  [15, 'Every 15 minutes'],
  [30, 'Every 30 minutes'],
  [60, 'Every hour'],
  [240, 'Every 4 hours'],
  [720, 'Every 12 hours'],
  [1440, 'Once a day'],
] as const;

/** "Define which users to synchronize", with the guide's two notes and the options admins ask for. */
export function ScopeForm({ draft, onChange, fieldErrors, disabled }: { draft: ScopeDraft; onChange: (draft: ScopeDraft) => void; fieldErrors: Record<string, string>; disabled: boolean }) {
  const styles = useStyles();
  const set = <K extends keyof ScopeDraft>(key: K, value: ScopeDraft[K]) => onChange({ ...draft, [key]: value });
  return (
    <section className={styles.section} aria-labelledby="scope-heading">
      <Subtitle2 as="h2" id="scope-heading">
        Define which users to synchronize
      </Subtitle2>
      <fieldset disabled={disabled} style={{ border: 0, padding: 0, margin: 0, display: 'contents' }}>
        <RadioGroup value={draft.kind} onChange={(_e, data) => set('kind', data.value as ScopeDraft['kind'])} aria-labelledby="scope-heading">
          <Radio value="all" label="All users in the tenant" />
          <Radio value="group_name" label={`All users in a group named “${draft.groupName || 'arsen'}” (created beforehand in your Entra ID)`} />
          <Radio value="groups" label="Users from one or several Entra groups, including nested groups" />
        </RadioGroup>
        {draft.kind === 'group_name' && (
          <Field
            label="Group name"
            hint="Users Sync looks for exactly one group with this name. Create it in Entra ID first and add people or groups to it."
            validationMessage={fieldErrors['scope.groupName']}
            validationState={fieldErrors['scope.groupName'] ? 'error' : 'none'}
          >
            <Input value={draft.groupName} onChange={(_e, data) => set('groupName', data.value)} />
          </Field>
        )}
        {draft.kind === 'groups' && <GroupPicker selectedIds={draft.groupIds} onChange={(ids) => set('groupIds', ids)} error={fieldErrors['scope.groupIds']} disabled={disabled} />}

        <MessageBar intent="warning">
          <MessageBarBody>
            <MessageBarTitle>Warning</MessageBarTitle>
            Only active users are synchronized.
          </MessageBarBody>
        </MessageBar>
        <MessageBar intent="info">
          <MessageBarBody>
            <MessageBarTitle>Note</MessageBarTitle>
            Nested groups are supported.
          </MessageBarBody>
        </MessageBar>

        <Accordion collapsible>
          <AccordionItem value="options">
            <AccordionHeader>More options: guests, exclusions, schedule, deletion guard</AccordionHeader>
            <AccordionPanel>
              <div className={styles.options}>
                <Switch checked={draft.includeGuests} onChange={(_e, data) => set('includeGuests', data.checked)} label="Include guest users (people invited from other organizations)" />
                <Field
                  label="Never synchronize"
                  hint="One email address (ann@contoso.com) or domain (contoso.com) per line."
                  validationMessage={Object.entries(fieldErrors).find(([key]) => key.startsWith('exclusions'))?.[1]}
                  validationState={Object.keys(fieldErrors).some((key) => key.startsWith('exclusions')) ? 'error' : 'none'}
                >
                  <Textarea value={draft.exclusions} onChange={(_e, data) => set('exclusions', data.value)} resize="vertical" />
                </Field>
                <Switch checked={draft.scheduleOn} onChange={(_e, data) => set('scheduleOn', data.checked)} label="Also check Microsoft 365 for changes on a schedule" />
                {draft.scheduleOn && (
                  <Field label="How often">
                    <Select value={String(draft.intervalMinutes)} onChange={(_e, data) => set('intervalMinutes', Number(data.value))}>
                      {intervals.map(([minutes, label]) => (
                        <option key={minutes} value={minutes}>
                          {label}
                        </option>
                      ))}
                      {!intervals.some(([minutes]) => minutes === draft.intervalMinutes) && <option value={draft.intervalMinutes}>Every {draft.intervalMinutes} minutes</option>}
                    </Select>
                  </Field>
                )}
                <Switch checked={draft.guardOn} onChange={(_e, data) => set('guardOn', data.checked)} label="Hold a sync that would deactivate many people until an admin approves it" />
                {draft.guardOn && (
                  <div className={styles.inline}>
                    <Field label="More than this share of active employees (%)" validationMessage={fieldErrors['deletionGuard.maxShare']} validationState={fieldErrors['deletionGuard.maxShare'] ? 'error' : 'none'}>
                      <SpinButton min={0} max={100} value={draft.guardPercent} onChange={(_e, data) => set('guardPercent', spunNumber(data, draft.guardPercent))} />
                    </Field>
                    <Field label="And at least this many people" validationMessage={fieldErrors['deletionGuard.minCount']} validationState={fieldErrors['deletionGuard.minCount'] ? 'error' : 'none'}>
                      <SpinButton min={1} value={draft.guardMinCount} onChange={(_e, data) => set('guardMinCount', spunNumber(data, draft.guardMinCount))} />
                    </Field>
                  </div>
                )}
              </div>
            </AccordionPanel>
          </AccordionItem>
        </Accordion>
      </fieldset>
    </section>
  );
}

import {
  Caption1, Spinner, Tag, TagPicker, TagPickerControl, TagPickerGroup, TagPickerInput, TagPickerList, TagPickerOption, Field,
} from '@fluentui/react-components';
import type { Group } from '@users-sync/api/contract';
import { useEffect, useState } from 'react';
import { useTab } from '../../api/api-context';
import { useResource } from '../../api/use-resource';

function memberCount(group: Group): string {
  if (group.memberCount === null) return 'member count unknown';
  return `${group.memberCount.toLocaleString()} direct member${group.memberCount === 1 ? '' : 's'}`;
}

/**
 * Chooses one or several Entra groups by name, with their member counts. Nested groups'
 * members are included by the sync, so picking the top group is enough.
 */
export function GroupPicker({ selectedIds, onChange, error, disabled = false }: { selectedIds: string[]; onChange: (ids: string[]) => void; error?: string; disabled?: boolean }) {
  const { api } = useTab();
  const [search, setSearch] = useState('');
  const [open, setOpen] = useState(false);
  const [debounced, setDebounced] = useState('');
  // Names of the chosen groups, kept even when a later search no longer lists them.
  const [known, setKnown] = useState<Record<string, Group>>({});
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);
  // A picker that cannot change (a console whose setup is done) only names its chosen groups.
  const groups = useResource(
    (signal) => (disabled ? Promise.resolve({ groups: [], nextCursor: null }) : api.call('searchGroups', { query: { search: debounced || undefined }, signal })),
    `${disabled}:${debounced}`,
  );
  useEffect(() => {
    if (groups.data) setKnown((previous) => ({ ...previous, ...Object.fromEntries(groups.data!.groups.map((g) => [g.id, g])) }));
  }, [groups.data]);
  // Chosen groups the first page of a search did not bring are asked for by id, once.
  const unnamed = groups.state === 'loading' ? '' : selectedIds.filter((id) => !known[id]).join(',');
  useEffect(() => {
    if (!unnamed) return;
    const controller = new AbortController();
    api.call('searchGroups', { query: { ids: unnamed }, signal: controller.signal }).then(
      (page) => setKnown((previous) => ({ ...previous, ...Object.fromEntries(page.groups.map((g) => [g.id, g])) })),
      () => undefined, // the tag keeps showing the id; the search above reports Graph's problems
    );
    return () => controller.abort();
  }, [api, unnamed]);

  const options = (groups.data?.groups ?? []).filter((group) => !selectedIds.includes(group.id));
  return (
    <Field
      label="Groups to synchronize"
      hint={disabled ? 'Members of groups nested inside them are included.' : 'Type to search your Entra groups by name. Members of groups nested inside them are included.'}
      validationState={error ? 'error' : groups.state === 'error' ? 'error' : 'none'}
      validationMessage={error ?? (groups.state === 'error' ? `${groups.problem.detail} (code ${groups.problem.code})` : undefined)}
    >
      <TagPicker
        disabled={disabled}
        open={open && !disabled}
        onOpenChange={(_event, data) => setOpen(data.open)}
        selectedOptions={selectedIds}
        onOptionSelect={(_event, data) => {
          onChange(data.selectedOptions);
          setSearch('');
        }}
      >
        <TagPickerControl>
          <TagPickerGroup aria-label="Chosen groups">
            {selectedIds.map((id) => (
              <Tag key={id} shape="rounded" value={id}>
                {known[id]?.displayName ?? (groups.state === 'loading' ? 'Loading…' : id)}
              </Tag>
            ))}
          </TagPickerGroup>
          <TagPickerInput aria-label="Search groups" value={search} onChange={(event) => {
              setSearch(event.target.value);
              setOpen(true);
            }} placeholder={selectedIds.length ? '' : 'Search groups'} />
        </TagPickerControl>
        <TagPickerList>
          {groups.state === 'loading' && !groups.data ? (
            <Spinner size="tiny" label="Searching groups…" style={{ padding: 8 }} />
          ) : options.length === 0 ? (
            <Caption1 role="status" style={{ padding: 8, display: 'block' }}>
              {debounced ? `No group matches “${debounced}”.` : 'No more groups to choose.'}
            </Caption1>
          ) : (
            options.map((group) => (
              <TagPickerOption
                key={group.id}
                value={group.id}
                text={group.displayName}
                secondaryContent={<Caption1>{memberCount(group)}</Caption1>}
              >
                {group.displayName}
              </TagPickerOption>
            ))
          )}
        </TagPickerList>
      </TagPicker>
    </Field>
  );
}

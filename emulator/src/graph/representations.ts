import { ODATA_TYPES, type DirectoryGroup, type DirectoryUser, type OtherDirectoryObject } from '../tenants/directory-objects';

/** What a user has without `$select` (Graph v1.0's default set). */
export const DEFAULT_USER_PROPERTIES = ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id'] as const;

export const USER_PROPERTIES: ReadonlySet<string> = new Set([
  ...DEFAULT_USER_PROPERTIES,
  'accountEnabled',
  'department',
  'employeeId',
  'companyName',
  'country',
  'city',
  'usageLocation',
  'userType',
  'onPremisesSyncEnabled',
  'proxyAddresses',
  'createdDateTime',
  'deletedDateTime',
]);

/** `manager` is a navigation property: selectable on delta (`manager@delta`) only. */
export const USER_DELTA_PROPERTIES: ReadonlySet<string> = new Set([...USER_PROPERTIES, 'manager']);

export const USER_FILTERABLE: ReadonlySet<string> = new Set([
  'id', 'accountEnabled', 'userType', 'userPrincipalName', 'displayName', 'mail', 'givenName', 'surname', 'jobTitle', 'department', 'employeeId',
  'companyName', 'country', 'city', 'usageLocation', 'onPremisesSyncEnabled', 'officeLocation', 'createdDateTime', 'preferredLanguage',
]);

export const DEFAULT_GROUP_PROPERTIES = ['id', 'createdDateTime', 'description', 'displayName', 'groupTypes', 'mail', 'mailEnabled', 'mailNickname', 'securityEnabled', 'visibility'] as const;
export const GROUP_PROPERTIES: ReadonlySet<string> = new Set([...DEFAULT_GROUP_PROPERTIES, 'deletedDateTime']);
export const GROUP_DELTA_PROPERTIES: ReadonlySet<string> = new Set([...GROUP_PROPERTIES, 'members']);
export const GROUP_FILTERABLE: ReadonlySet<string> = new Set(['id', 'displayName', 'mail', 'mailEnabled', 'mailNickname', 'securityEnabled', 'createdDateTime']);

export function userProperty(user: DirectoryUser, property: string): unknown {
  switch (property) {
    case 'id':
      return user.id;
    case 'createdDateTime':
      return user.createdDateTime;
    case 'deletedDateTime':
      return user.deletedDateTime;
    case 'manager':
      return user.managerId;
    default:
      return (user as unknown as Record<string, unknown>)[property] ?? null;
  }
}

export function groupProperty(group: DirectoryGroup, property: string): unknown {
  switch (property) {
    case 'id':
      return group.id;
    case 'createdDateTime':
      return group.createdDateTime;
    case 'deletedDateTime':
      return group.deletedDateTime;
    default:
      return (group as unknown as Record<string, unknown>)[property] ?? null;
  }
}

export function renderUser(user: DirectoryUser, select: readonly string[] | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const property of select ?? DEFAULT_USER_PROPERTIES) {
    if (property === 'manager') continue;
    out[property] = userProperty(user, property);
  }
  return out;
}

export function renderGroup(group: DirectoryGroup, select: readonly string[] | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const property of select ?? DEFAULT_GROUP_PROPERTIES) {
    if (property === 'members') continue;
    out[property] = groupProperty(group, property);
  }
  return out;
}

/** What a device, contact or service principal shows in a member list or as a manager. */
const OTHER_PROPERTIES = ['id', 'displayName', 'mail'] as const;

/**
 * A device, organizational contact or service principal: `@odata.type`, `id`, and of what
 * was selected only what such an object has (`displayName`, `mail` for contacts).
 */
export function renderOther(object: OtherDirectoryObject, select: readonly string[] | null): Record<string, unknown> {
  const out: Record<string, unknown> = { '@odata.type': ODATA_TYPES[object.kind], id: object.id };
  for (const property of select ?? OTHER_PROPERTIES) {
    if (property === 'displayName') out.displayName = object.displayName;
    else if (property === 'mail' && object.kind === 'orgContact') out.mail = object.mail;
  }
  return out;
}

import type { Generated } from 'kysely';

/**
 * The tables as Kysely sees them. Portable types on purpose: timestamps are ISO-8601
 * text (sortable, same on SQLite and PostgreSQL), flags are 0/1 integers, structured
 * settings are JSON text parsed with zod on the way out.
 */
export interface Database {
  organizations: OrganizationTable;
  microsoft_connections: MicrosoftConnectionTable;
  sync_configurations: SyncConfigurationTable;
  employees: EmployeeTable;
  sync_runs: SyncRunTable;
  employee_changes: EmployeeChangeTable;
  delta_states: DeltaStateTable;
  organization_members: OrganizationMemberTable;
  consent_states: ConsentStateTable;
  service_secrets: ServiceSecretTable;
  graph_subscriptions: GraphSubscriptionTable;
  onboarding_links: OnboardingLinkTable;
  onboarding_link_runs: OnboardingLinkRunTable;
  csv_import_previews: CsvImportPreviewTable;
  bot_conversations: BotConversationTable;
  organization_audit: OrganizationAuditTable;
}

export interface OrganizationTable {
  id: string;
  name: string;
  created_at: string;
  /** The Entra tenant its people sign in from (Teams SSO or MSAL); one organization per tenant. */
  tenant_id: string | null;
  /** The tenant's display name, read from Graph /organization when consent was proven. */
  tenant_name: string | null;
  /** Email provider detected when the account was created (microsoft, google, other, unknown). */
  email_provider: string | null;
  email_domain: string | null;
  provider_evidence: string | null;
  provider_detected_at: string | null;
}

export interface MicrosoftConnectionTable {
  organization_id: string;
  tenant_id: string;
  consent_state: string;
  consented_at: string | null;
  updated_at: string;
}

export interface SyncConfigurationTable {
  organization_id: string;
  scope: string;
  include_guests: number;
  exclusions: string;
  deletion_guard: string;
  schedule: string | null;
  updated_at: string;
}

export interface EmployeeTable {
  id: string;
  organization_id: string;
  source: string;
  status: string;
  entra_object_id: string | null;
  email: string;
  given_name: string | null;
  surname: string | null;
  display_name: string | null;
  department: string | null;
  job_title: string | null;
  office_location: string | null;
  city: string | null;
  country: string | null;
  preferred_language: string | null;
  entra_employee_id: string | null;
  company_name: string | null;
  manager_entra_id: string | null;
  /** The manager of an employee imported from CSV, by email (Microsoft-synced ones use manager_entra_id). */
  manager_email: Generated<string | null>;
  attributes_hash: string | null;
  first_seen_at: string;
  last_synced_at: string | null;
  deactivated_at: string | null;
  updated_at: string;
}

export interface SyncRunTable {
  id: string;
  organization_id: string;
  trigger: string;
  mode: string;
  dry_run: number;
  status: string;
  phase: string | null;
  created: Generated<number>;
  updated: Generated<number>;
  deactivated: Generated<number>;
  reactivated: Generated<number>;
  unchanged: Generated<number>;
  skipped: Generated<number>;
  users_read: Generated<number>;
  pages: Generated<number>;
  graph_requests: Generated<number>;
  error_code: string | null;
  error_message: string | null;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** Last sign of life of a running run; a run silent for long was interrupted (its process ended). */
  heartbeat_at: string | null;
  /** The saved plan of a run held by the deletion guard (JSON). */
  plan: string | null;
  /** Lists a run reports (dry-run lists, skipped users with reasons), capped (JSON). */
  report: string | null;
  /** Set when someone asked to cancel; the instance running the run notices and stops. */
  cancel_requested_at: string | null;
  /** A preview's unsaved settings (JSON), when it previews those instead of the saved ones. */
  proposal: string | null;
}

export interface EmployeeChangeTable {
  id: string;
  organization_id: string;
  run_id: string | null;
  employee_id: string | null;
  entra_object_id: string | null;
  email: string | null;
  action: string;
  reason: string | null;
  changed_fields: string | null;
  at: string;
}

export interface DeltaStateTable {
  organization_id: string;
  /** The scope the links and the tree were taken for: a different scope needs a full sync. */
  scope_key: string;
  users_delta_link: string | null;
  groups_delta_link: string | null;
  group_tree: string | null;
  /** Entra ids of every user in a group scope (employees and skipped alike), JSON. */
  scope_member_ids: string | null;
  updated_at: string;
}

export interface OrganizationMemberTable {
  organization_id: string;
  user_object_id: string;
  email: string;
  name: string;
  role: string;
  created_at: string;
  /** Where the role comes from: creator, directory_role (re-checked on every token), owner (added by hand), ownership. */
  granted_by: Generated<string>;
  /** Set when the owner removed this person: a Microsoft admin removed does not join again by signing in. */
  removed_at: Generated<string | null>;
  /** An admin the owner added by email who has not signed in yet (user_object_id is a placeholder until then). */
  invited_email: Generated<string | null>;
}

export interface OrganizationAuditTable {
  id: string;
  organization_id: string;
  at: string;
  action: string;
  actor_object_id: string;
  actor_email: string;
  detail: string;
}

export interface ConsentStateTable {
  nonce: string;
  organization_id: string;
  expires_at: string;
  used_at: string | null;
}

export interface ServiceSecretTable {
  name: string;
  value: string;
  created_at: string;
}

export interface GraphSubscriptionTable {
  id: string;
  organization_id: string;
  resource: string;
  client_state: string;
  expires_at: string;
  created_at: string;
}

export interface OnboardingLinkTable {
  id: string;
  organization_id: string;
  /** SHA-256 of the link's secret; the secret itself is never stored. */
  token_hash: string;
  email: string;
  created_by_object_id: string;
  created_by_name: string;
  created_by_email: string;
  created_at: string;
  expires_at: string;
  opened_at: string | null;
  /** The Microsoft work account that signed in through the link's console. */
  signed_in_email: string | null;
  signed_in_at: string | null;
  consented_at: string | null;
  completed_at: string | null;
  revoked_at: string | null;
  revoked_by_name: string | null;
  /** pending, delivered, not_delivered: whether the bot reached the person in Teams. */
  delivery_status: string;
  delivery_reason: string | null;
  delivery_at: string | null;
}

export interface OnboardingLinkRunTable {
  link_id: string;
  run_id: string;
  created_at: string;
}

export interface CsvImportPreviewTable {
  id: string;
  organization_id: string;
  file_sha256: string;
  /** A digest of the changes the preview showed: applying is refused when the directory would now give others. */
  plan_digest: string;
  missing: string;
  has_errors: number;
  created_by: string;
  created_at: string;
  expires_at: string;
  applied_at: string | null;
  run_id: string | null;
}

export interface BotConversationTable {
  tenant_id: string;
  /** personal or team */
  scope: string;
  target_id: string;
  /** The Bot Framework conversation reference, as JSON. */
  reference: string;
  installed_at: string;
  updated_at: string;
}

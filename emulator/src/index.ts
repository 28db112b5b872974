export { startEmulator, type RunningEmulator } from './server';
export { readEmulatorSettings, type EmulatorSettings } from './config';
export { ensureDevCertificate, type DevCertificate } from './tls/dev-certificate';
export { EmulatorControl, EmulatorControlError, type ControlUser, type ControlGroup } from './control/control-client';
export type { TenantSummary } from './control/control-routes';
export type { CreateTenantBody, CreateUserBody, UpdateUserBody, CreateGroupBody, UpdateGroupBody, FaultsBody, ThrottlingBody, TokenBody, RegisterAppBody } from './control/control-schemas';
export type { TrafficCounters, LoggedRequest } from './metering/traffic-meter';
export type { Subscription, DeliveryRecord } from './webhooks/subscriptions';
export { DELTA_PAGE_OBJECTS, DELTA_PAGE_LINKS } from './graph/delta-routes';

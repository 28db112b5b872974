import type { Logger } from 'pino';
import { SignInState } from './entra/sign-in-state';
import { SigningKeys } from './entra/signing-keys';
import { TokenIssuer } from './entra/token-issuer';
import { TenantFaults } from './faults/tenant-faults';
import { GraphService } from './graph/graph-service';
import { LatencyModel, type LatencySettingsInput } from './cost/latency-model';
import { TrafficMeter } from './metering/traffic-meter';
import { Cloud, type AppRegistration } from './tenants/cloud';
import { GraphThrottle } from './throttling/graph-throttle';
import { Webhooks, type WebhookOptions } from './webhooks/subscriptions';

/** Everything one running emulator holds, shared by the login, Graph and control surfaces. */
export interface EmulatorState {
  cloud: Cloud;
  keys: SigningKeys;
  issuer: TokenIssuer;
  signIn: SignInState;
  throttle: GraphThrottle;
  faults: TenantFaults;
  meter: TrafficMeter;
  webhooks: Webhooks;
  latency: LatencyModel;
  graph: GraphService;
  /** The product's app registration (multi-tenant), consented in seeded tenants unless told otherwise. */
  defaultApp: AppRegistration;
  /** The public `https://host:port` base; set once the server listens. */
  base: () => string;
}

export async function createEmulatorState(logger: Logger, defaultApp: { clientId: string; clientSecret: string }, base: () => string, webhookOptions: WebhookOptions = {}, latencySettings: LatencySettingsInput = {}): Promise<EmulatorState> {
  const cloud = new Cloud();
  const keys = await SigningKeys.create();
  const issuer = new TokenIssuer(keys, base);
  const throttle = new GraphThrottle();
  const faults = new TenantFaults();
  const meter = new TrafficMeter();
  const webhooks = new Webhooks(logger, webhookOptions);
  cloud.onTenantAdded((tenant) => webhooks.attach(tenant));
  const latency = new LatencyModel(latencySettings);
  const graph = new GraphService({ cloud, keys, throttle, faults, meter, latency });
  webhooks.addRoutes(graph.router);
  // As appPackage/aad.manifest.json registers it: v2.0 access tokens for the api.
  const app = cloud.registerApp({ clientId: defaultApp.clientId, clientSecret: defaultApp.clientSecret, displayName: 'Users Sync', accessTokenAcceptedVersion: 2 });
  return { cloud, keys, issuer, signIn: new SignInState(), throttle, faults, meter, webhooks, latency, graph, defaultApp: app, base };
}

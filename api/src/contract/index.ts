/** The REST contract shared by the api, the tab and the bot: zod schemas and their types. */
export * from './problem';
export * from './organization';
export * from './microsoft-connection';
export * from './sync-configuration';
export * from './sync-runs';
export * from './employees';
export * from './bot-notification';
export * from './onboarding-links';
export * from './csv-import';
export * from './account-people';
export * from './bot-conversations';
export * from './tab';
export * from './dashboard';
export * from './directory-presence';
export * from './routes';

import { z } from 'zod';
import type { Logger } from '@users-sync/api/service';
import type { SyncRun } from '@users-sync/api/contract';
import { ApiRefusal, type ActingPerson, type PersonApi, type UsersSyncApi } from '../api-client/users-sync-api';
import { helpCard, historyCard, noticeCard, refusalCard, runCard, statusCard } from '../cards/cards';
import type { ChatTurn, Messenger } from '../chat/chat';
import { parseCommand } from './command-parser';
import { watchRun, type RunWatchSettings } from './run-watch';

/** "link <email>": the onboarding link generated for a Microsoft admin, and whether the bot could deliver its instructions. */
export interface OnboardingLinks {
  share(person: ActingPerson, email: string): Promise<{ url: string; expiresAt: string; delivered: boolean; notDeliveredReason: string | null }>;
}

/** "why <email or name>": the tab's "Someone missing?" answer. */
export interface DirectoryAnswers {
  explain(person: ActingPerson, query: string): Promise<{ headline: string; explanation: string; facts: Array<[string, string]> }>;
}

export interface ChatCommandsSettings {
  api: UsersSyncApi;
  messenger: Messenger;
  /** Where "Open Users Sync" leads: the tab's deep link in Teams, or its address. */
  tabUrl: string;
  runWatch: RunWatchSettings;
  logger: Logger;
  clock?: () => Date;
  /** Absent until the api serves onboarding links: the command then says so. */
  onboardingLinks?: OnboardingLinks;
  /** Absent until the api serves "Someone missing?": the command then says so. */
  directoryAnswers?: DirectoryAnswers;
}

const email = z.email();

/** The chat commands of the catalog, written against the bot's own chat interfaces. */
export function createChatCommands(settings: ChatCommandsSettings) {
  const { api, messenger, tabUrl, logger } = settings;
  const clock = settings.clock ?? (() => new Date());
  const following = new Set<Promise<unknown>>();

  /** Keeps a card up to date while a run goes on, after the turn that started it has ended. */
  function follow(turn: ChatTurn, people: PersonApi, messageId: string, first: SyncRun): void {
    const update = (run: SyncRun) => messenger.update(turn.reference, messageId, { card: runCard({ run, tabUrl }) });
    const work = (async () => {
      const settledRun = await watchRun(first, (id) => people.run(id), update, settings.runWatch);
      if (!settledRun) {
        await messenger.update(turn.reference, messageId, { card: noticeCard('Still syncing', 'This sync takes long. Follow it in Users Sync; I will send the report when it ends.') });
        return;
      }
      const report = settledRun.counts.skipped > 0 || settledRun.dryRun ? await people.report(settledRun.id).catch(() => undefined) : undefined;
      await messenger.update(turn.reference, messageId, { card: runCard({ run: settledRun, tabUrl, ...(report ? { report } : {}) }) });
    })()
      .catch((error: unknown) => logger.warn({ err: error, runId: first.id }, 'could not keep the sync card up to date'))
      .finally(() => following.delete(work));
    following.add(work);
  }

  async function refuse(turn: ChatTurn, refusal: ApiRefusal): Promise<void> {
    if (refusal.code === 'NOT_A_MEMBER' || refusal.code === 'ORGANIZATION_NOT_SET_UP') {
      const admins = await api.tenantAdmins(turn.person.tenantId).catch(() => ({ organizationExists: refusal.code === 'NOT_A_MEMBER', admins: [] }));
      await turn.reply({ card: refusalCard(admins) });
      return;
    }
    await turn.reply({ card: noticeCard('I could not do that', refusal.detail, [['Error code', refusal.code]]) });
  }

  async function run(turn: ChatTurn): Promise<void> {
    const parsed = parseCommand(turn.text);
    if (parsed.command === 'help' || parsed.command === 'unknown') {
      await turn.reply({ card: helpCard() });
      return;
    }
    const person: ActingPerson = { tenantId: turn.person.tenantId, aadObjectId: turn.person.aadObjectId };
    const people = api.forPerson(person);
    switch (parsed.command) {
      case 'status': {
        const [connection, configuration, runs, activeEmployees] = await Promise.all([
          people.connection(),
          people.configuration().catch((error: unknown) => {
            if (error instanceof ApiRefusal && error.status === 404) return null;
            throw error;
          }),
          people.runs(5),
          people.activeEmployees(),
        ]);
        const lastRun = runs.find((r) => !r.dryRun);
        await turn.reply({ card: statusCard({ connection, configuration, lastRun, activeEmployees, now: clock(), tabUrl }) });
        return;
      }
      case 'sync now':
      case 'preview': {
        const started = await people.startRun({ dryRun: parsed.command === 'preview' });
        const sent = await turn.reply({ card: runCard({ run: started, tabUrl }) });
        follow(turn, people, sent.id, started);
        return;
      }
      case 'history': {
        await turn.reply({ card: historyCard(await people.runs(10), tabUrl) });
        return;
      }
      case 'link': {
        const address = email.safeParse(parsed.argument.trim());
        if (!address.success) {
          await turn.reply({ card: noticeCard('Whom should I send the link to?', 'Say "link" followed by the Microsoft admin’s email, for example: link it.admin@contoso.com') });
          return;
        }
        // Checks membership first, so a non-member is refused before anything else is said.
        await people.me();
        if (!settings.onboardingLinks) {
          await turn.reply({ card: noticeCard('Onboarding links are not available in chat yet', 'Open Users Sync and choose "Share Onboarding Link" to generate the link and copy it.') });
          return;
        }
        const shared = await settings.onboardingLinks.share(person, address.data);
        await turn.reply({
          card: noticeCard(
            'Onboarding link ready',
            shared.delivered
              ? `I sent ${address.data} the instructions in Teams. The link is valid until the date below.`
              : `I could not reach ${address.data} in Teams (${shared.notDeliveredReason ?? 'not delivered'}). Copy the link from Users Sync and send it yourself.`,
            [
              ['Link', shared.url],
              ['Valid until', shared.expiresAt.slice(0, 10)],
            ],
          ),
        });
        return;
      }
      case 'why': {
        const query = parsed.argument.trim();
        if (!query) {
          await turn.reply({ card: noticeCard('Who should I look up?', 'Say "why" followed by an email or a name, for example: why ann@contoso.com') });
          return;
        }
        await people.me();
        if (!settings.directoryAnswers) {
          await turn.reply({ card: noticeCard('"Someone missing?" is not available in chat yet', 'Open Users Sync and search the directory, or read the last sync report there.') });
          return;
        }
        const answer = await settings.directoryAnswers.explain(person, query);
        await turn.reply({ card: noticeCard(answer.headline, answer.explanation, answer.facts) });
        return;
      }
    }
  }

  return {
    async handle(turn: ChatTurn): Promise<void> {
      try {
        await run(turn);
      } catch (error) {
        if (error instanceof ApiRefusal) return refuse(turn, error);
        throw error;
      }
    },
    /** Resolves when every card being kept up to date has reached its run's end (tests, shutdown). */
    async idle(): Promise<void> {
      while (following.size > 0) await Promise.allSettled([...following]);
    },
  };
}

export type ChatCommands = ReturnType<typeof createChatCommands>;

import { z } from 'zod';
import type { Logger } from '@users-sync/api/service';
import type { SyncRun } from '@users-sync/api/contract';
import { ApiRefusal, type ActingPerson, type PersonApi, type UsersSyncApi } from '../api-client/users-sync-api';
import { helpCard, historyCard, linkSharedCard, noticeCard, presenceCard, refusalCard, runCard, statusCard } from '../cards/cards';
import type { ChatTurn, Messenger } from '../chat/chat';
import { parseCommand } from './command-parser';
import { watchRun, type RunWatchSettings } from './run-watch';

export interface ChatCommandsSettings {
  api: UsersSyncApi;
  messenger: Messenger;
  /** Where "Open Users Sync" leads: the tab's deep link in Teams, or its address. */
  tabUrl: string;
  runWatch: RunWatchSettings;
  logger: Logger;
  clock?: () => Date;
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
        if (turn.scope !== 'personal') {
          // The link is a secret for one person: never posted where a whole team reads it.
          await turn.reply({ card: noticeCard('Ask me in our personal chat', 'An onboarding link lets its holder connect Microsoft 365 to Users Sync, so I only share it in a personal chat. Open a chat with Users Sync and say "link" followed by the Microsoft admin’s email.') });
          return;
        }
        const address = email.safeParse(parsed.argument.trim());
        if (!address.success) {
          await turn.reply({ card: noticeCard('Whom should I send the link to?', 'Say "link" followed by the Microsoft admin’s email, for example: link it.admin@contoso.com') });
          return;
        }
        await turn.reply({ card: linkSharedCard(await people.shareOnboardingLink(address.data), tabUrl) });
        return;
      }
      case 'why': {
        if (turn.scope !== 'personal') {
          // The answer names a person's account state, groups and namesakes: for the admin asking, not the whole team.
          await turn.reply({ card: noticeCard('Ask me in our personal chat', 'The answer shows a person’s account and groups, so I give it in a personal chat only. Open a chat with Users Sync and say "why" followed by an email or a name.') });
          return;
        }
        const query = parsed.argument.trim();
        if (!query) {
          await turn.reply({ card: noticeCard('Who should I look up?', 'Say "why" followed by an email or a name, for example: why ann@contoso.com') });
          return;
        }
        await turn.reply({ card: presenceCard(await people.whyInDirectory(query), tabUrl) });
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

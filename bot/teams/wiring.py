"""One call for bot.app: the Teams bot, its prompt channel, and their database store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.runtime.prompt_channel import RunSheetInbox
from bot.store.conversations import ConversationRepository
from bot.store.database import Database
from bot.teams.agent import TeamsBot
from bot.teams.channel import ChairResolver, TeamsPromptChannel
from bot.teams.config import agents_configuration
from bot.teams.lookup import Candidates, JoinUrlLookup


@dataclass(frozen=True)
class TeamsAdapter:
    """The bot (for /api/messages) and the PromptChannel the runtime sends prompts through."""

    bot: TeamsBot
    channel: TeamsPromptChannel


def build_teams_adapter(
    inbox: RunSheetInbox,
    database: Database,
    meetings: Candidates,
    environ: Mapping[str, str],
    *,
    anonymous: bool,
    resolve: ChairResolver | None = None,
) -> TeamsAdapter:
    """Build the Teams adapter; ``meetings`` lists (conference id, join URL) pairs."""
    bot = TeamsBot(
        inbox,
        ConversationRepository(database),
        JoinUrlLookup(meetings),
        agents_configuration(environ, anonymous=anonymous),
    )
    return TeamsAdapter(bot, TeamsPromptChannel(bot, resolve))

"""confbot teams adapter."""

"""Chat: conversations with the FAQ bot and the people behind it, hand-off to a case, the survey after."""

"""The knowledge base: articles and FAQ entries in English and Chinese, the help centre, the bot's answers."""

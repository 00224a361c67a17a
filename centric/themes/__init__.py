"""themes domain: the taxonomy in the database, discovered themes, theme insight, verbatims."""

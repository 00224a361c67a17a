"""Journey maps and persona pages: where every domain's figures meet the designed journey."""

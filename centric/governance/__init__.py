"""Governance: owners and targets, fair scorecards, digests, and the CX council's initiatives with measured impact."""

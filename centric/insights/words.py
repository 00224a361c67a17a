"""Insight pages' stored words as staff read them (translated where shown: ``{{ _(by) }}``).

Quadrant and RFM segment names come from :mod:`centric.stats`, which sits below the
catalog; they are marked here so that the pages can show them in the reader's language.
"""

from __future__ import annotations

from centric.i18n import N_

DIMENSIONS = (N_("touchpoint"), N_("stage"), N_("journey"), N_("team"), N_("segment"), N_("channel"), N_("survey"),
              N_("quarter"), N_("month"))
QUADRANTS = (N_("key strength"), N_("priority to fix"), N_("possible overkill"), N_("low priority"))
RFM_SEGMENTS = (N_("Champions"), N_("Loyal"), N_("Potential loyalist"), N_("New"), N_("Promising"),
                N_("Need attention"), N_("About to sleep"), N_("At risk"), N_("Can't lose them"), N_("Hibernating"),
                N_("Lost"))
NPS_CATEGORIES = (N_("Promoters"), N_("Passives"), N_("Detractors"))
PROBLEMS = (N_("No survey has rated items besides its main question yet."),)

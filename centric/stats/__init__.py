"""Pure statistics for customer experience: no database, no web, no I/O.

Functions take arrays or plain numbers and return small frozen dataclasses. Each
estimator's docstring names its method and source; ``docs/statistics.md`` collects the
definitions.
"""

from centric.stats.bgnbd import (
    BgNbdFit,
    bgnbd_log_likelihood,
    conditional_expected_number_of_purchases_up_to_time,
    conditional_probability_alive,
    expected_number_of_purchases_up_to_time,
    fit_bgnbd,
)
from centric.stats.churn import ChurnRate, RetentionTable, churn_rate, retention_cohorts
from centric.stats.did import DiffInDiff, diff_in_diff, nps_contributions
from centric.stats.disclosure import Group, Publication, publishable
from centric.stats.drivers import (
    DriverAnalysis,
    DriverResult,
    churn_drivers,
    ipa_quadrant,
    key_drivers,
    relative_weights,
    shapley_r2,
)
from centric.stats.estimate import Comparison, Estimate
from centric.stats.fitting import ConvergenceError
from centric.stats.gamma_gamma import (
    GammaGammaFit,
    conditional_expected_average_profit,
    fit_gamma_gamma,
)
from centric.stats.gap import (
    Correlation,
    Gap,
    Overestimation,
    correlation,
    delivery_gap,
    delivery_gap_from_counts,
    overestimation,
)
from centric.stats.happiness import HappinessWeights, happiness_score
from centric.stats.lifetime_value import LifetimeValue, customer_lifetime_value
from centric.stats.means import ces_estimate, ces_from_scores, compare_means, mean_estimate
from centric.stats.multiplicity import adjust_p_values
from centric.stats.nps import (
    compare_nps,
    enps_estimate,
    enps_from_scores,
    nps_estimate,
    nps_from_scores,
)
from centric.stats.proportions import (
    ces_agreement_from_scores,
    compare_proportions,
    csat_estimate,
    csat_from_scores,
    proportion_estimate,
)
from centric.stats.rfm import SEGMENTS, RfmScores, quintile_scores, rfm_segments
from centric.stats.roi import CategoryOutcome, CxRoi, EarnedGrowth, cx_roi, earned_growth_rate
from centric.stats.scales import (
    DETRACTOR_MAX,
    PROMOTER_MIN,
    agreement_threshold,
    nps_category,
    top_box_threshold,
)
from centric.stats.targets import TargetVerdict, pairwise_p_value, significance_ranks, target_verdict
from centric.stats.transactions import (
    CustomerSummary,
    HistoricalValue,
    historical_clv,
    summary_from_transactions,
)

__all__ = [
    "overestimation",
    "delivery_gap_from_counts",
    "delivery_gap",
    "correlation",
    "Overestimation",
    "Gap",
    "Correlation",
    "DETRACTOR_MAX",
    "PROMOTER_MIN",
    "SEGMENTS",
    "TargetVerdict",
    "BgNbdFit",
    "CategoryOutcome",
    "ChurnRate",
    "Comparison",
    "ConvergenceError",
    "CustomerSummary",
    "CxRoi",
    "DiffInDiff",
    "DriverAnalysis",
    "DriverResult",
    "EarnedGrowth",
    "Estimate",
    "GammaGammaFit",
    "Group",
    "HappinessWeights",
    "HistoricalValue",
    "LifetimeValue",
    "Publication",
    "RetentionTable",
    "RfmScores",
    "adjust_p_values",
    "agreement_threshold",
    "bgnbd_log_likelihood",
    "ces_agreement_from_scores",
    "ces_estimate",
    "ces_from_scores",
    "churn_drivers",
    "churn_rate",
    "compare_means",
    "compare_nps",
    "compare_proportions",
    "conditional_expected_average_profit",
    "conditional_expected_number_of_purchases_up_to_time",
    "conditional_probability_alive",
    "csat_estimate",
    "csat_from_scores",
    "customer_lifetime_value",
    "cx_roi",
    "diff_in_diff",
    "earned_growth_rate",
    "enps_estimate",
    "enps_from_scores",
    "expected_number_of_purchases_up_to_time",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "happiness_score",
    "historical_clv",
    "ipa_quadrant",
    "key_drivers",
    "mean_estimate",
    "nps_category",
    "nps_contributions",
    "nps_estimate",
    "nps_from_scores",
    "pairwise_p_value",
    "proportion_estimate",
    "publishable",
    "quintile_scores",
    "relative_weights",
    "retention_cohorts",
    "rfm_segments",
    "shapley_r2",
    "significance_ranks",
    "summary_from_transactions",
    "target_verdict",
    "top_box_threshold",
]

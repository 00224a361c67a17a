"""Mirror: employee experience with anonymity that holds, the delivery gap, EX↔CX by team, CX maturity."""

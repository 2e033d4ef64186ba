"""Evidence stage: every citation matched against its source, the analytic standards applied, the model resolved."""

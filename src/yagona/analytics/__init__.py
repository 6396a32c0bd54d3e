"""Analytics: the de-identified event store (Parquet, queried with DuckDB), segments, churn
risk, the plan advisor and the operator's KPI dashboards (docs/analytics.md)."""

-- Each calendar account's request budget (a token bucket), shared by every worker: provider
-- calls wait for a token, so a backlog of writes is sent at the provider's per-user pace.
CREATE TABLE provider_request_budget (
  key text PRIMARY KEY,
  tokens double precision NOT NULL,
  refilled_at timestamptz NOT NULL
);

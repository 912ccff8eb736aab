--  006_timeliness_kpi: KPI values and ratings, and workers' caseloads, written only by
--  journey-timelinessd (services/timeliness/thresholds.c). The measures themselves are the
--  static table in common/src/jy_measures.c (docs/measures.md); `measure` holds its name.
--
--  A scope is 'la' (the whole authority) or 'team:<team_id>'.

--  Every value computed, one row per measure, scope and day it was computed on (a second run
--  on the same day replaces the first). The board pack's history and direction of travel.
CREATE TABLE timeliness.kpi_value (
    la_code text NOT NULL,
    measure text NOT NULL,
    scope text NOT NULL,
    computed_on date NOT NULL,              --  the daemon's today
    period_from date NOT NULL,              --  the rolling window, both ends included
    period_to date NOT NULL,
    numerator double precision NOT NULL,
    denominator double precision NOT NULL,  --  0 for counts
    value double precision,                 --  NULL when the denominator is 0
    rating text CHECK (rating IN ('red', 'amber', 'green')),   --  NULL: not rated
    target double precision,                --  as configured when computed
    tolerance double precision,
    PRIMARY KEY (la_code, measure, scope, computed_on)
);
CREATE INDEX kpi_value_computed ON timeliness.kpi_value (la_code, computed_on);

--  The current rating of each measure and scope: what a new rating is compared with to raise
--  RAG_CHANGED. A scope that could not be rated in a run (no cases in the window) keeps its
--  last rating.
CREATE TABLE timeliness.kpi_rating (
    la_code text NOT NULL,
    measure text NOT NULL,
    scope text NOT NULL,
    rating text NOT NULL CHECK (rating IN ('red', 'amber', 'green')),
    value double precision NOT NULL,
    rated_on date NOT NULL,                 --  the run that last confirmed it
    since date NOT NULL,                    --  the run that first gave this rating
    PRIMARY KEY (la_code, measure, scope)
);

--  Workers with open cases now (ingest.child: closed_on NULL, worker_id set), as of the last
--  run. over_threshold remembers whether the worker's CASELOAD alert has been raised, so that
--  it is raised once per crossing.
CREATE TABLE timeliness.caseload (
    la_code text NOT NULL,
    worker_id text NOT NULL,
    team_id text,                           --  the team most of the worker's cases are in
    caseload integer NOT NULL,
    over_threshold boolean NOT NULL,
    updated_on date NOT NULL,
    PRIMARY KEY (la_code, worker_id)
);

-- A 50-event page of the events overlapping a 90-day window, chronological. The `lower >= d - max_span`
-- bound is the same hint Annals' planner adds (the longest stored span), so both scan from near the window.
\set d random(:lo, :hi)
\set scan_from :d - :max_span
\set to :d + :w
SELECT id, date, kind, title, summary, meta
FROM events
WHERE upper >= :d AND lower >= :scan_from AND lower <= :to
ORDER BY lower, upper, id
LIMIT 50;

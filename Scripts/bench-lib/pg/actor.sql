-- A 50-event actor timeline page (first page, chronological), as Annals' timeline(actors: [code], limit: 50).
\set i random(1, :n_actors)
SELECT e.id, e.date, e.kind, e.title, e.summary, e.meta
FROM event_facets f JOIN events e ON e.id = f.event
WHERE f.facet = (SELECT 'c:' || lower(code) FROM bench_actors WHERE i = :i)
ORDER BY f.lower, f.upper, f.event
LIMIT 50;

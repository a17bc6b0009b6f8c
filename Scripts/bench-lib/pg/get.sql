-- One event by id with its body, its outgoing references resolved (title, date) and the events that refer
-- to it, as Annals' get(id:).
\set i random(1, :n_ids)
SELECT e.id, e.date, e.kind, e.title, e.summary, e.body, e.meta,
    (SELECT json_agg(json_build_array(t.id, t.title, t.date))
       FROM jsonb_array_elements(coalesce(e.meta->'references', '[]'::jsonb)) r JOIN events t ON t.id = r->>'id') AS outgoing,
    (SELECT json_agg(json_build_array(s.id, s.title, s.date))
       FROM event_facets f JOIN events s ON s.id = f.event WHERE f.facet = 'r:' || e.id) AS incoming
FROM events e
WHERE e.id = (SELECT id FROM bench_ids WHERE i = :i);

-- One trivial statement: what a query costs before its own work (connection hop, protocol, executor start), to
-- set beside Annals' "roundtrip" (an empty change-log page: annalsd's hop plus one trivial statement).
SELECT 1;

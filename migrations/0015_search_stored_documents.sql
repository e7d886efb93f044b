-- 0015_search_stored_documents.sql
--
-- What: tributary_search (0012) with the same arguments and results, faster: the text side
--       ranks the stored documents of item_documents (0013, 0014), the query ORs each distinct
--       form once, and the vector side handles filters and item vectors better.
--
-- Why:  issue 18 and its benchmark (bench/search: 1,000,000 items, 2.77 M passages).
--       - ts_rank_cd reads the stored tsvector instead of computing each match's document again
--         from its text (a word in 5,000 of 6,000 demo items: 711 -> 23 ms).
--       - The query of a word that stems alike in most of PostgreSQL's ~30 configurations was
--         the same tsquery ORed ~30 times, and every match was ranked against all of them; now
--         once per distinct form.
--       - A filter makes the HNSW walk visit about candidates / selectivity passages, each
--         joined to its item to test the filter: 10 sources (1 % of the items) took 816 ms at
--         p95, and a walk stops at hnsw.max_scan_tuples (20,000) with fewer results than
--         there are. When --source/--since/--until leave at most 20,000 items by the planner's
--         estimate, their passages are compared one by one instead, found through
--         items_source_observed_at_idx or items_published_or_seen_idx (0016) and the passages'
--         primary key.
--       - The item vectors (item_embeddings) add to the passages only the items without text
--         (an item with text has its first passage's vector as its own), and those are few:
--         they take the result limit (at least 10) of the nearest, not `candidates`, which was
--         a second full walk under the same filter (36 % of a filtered query's time).
--
-- Rollback: run 0012's CREATE OR REPLACE statements again.

CREATE OR REPLACE FUNCTION tributary_text_search_query(query text, languages text[] DEFAULT NULL)
RETURNS tsquery
LANGUAGE plpgsql STABLE AS $$
DECLARE
  result tsquery;
  one    tsquery;
BEGIN
  FOR one IN
    SELECT DISTINCT websearch_to_tsquery(c, query) FROM (
      SELECT 'pg_catalog.simple'::regconfig AS c
      UNION ALL
      SELECT tributary_text_search_config(l) FROM unnest(languages) AS l
       WHERE languages IS NOT NULL
      UNION ALL
      SELECT t.oid::regconfig FROM pg_ts_config t
       WHERE languages IS NULL AND t.cfgnamespace = 'pg_catalog'::regnamespace) configs
  LOOP
    result := CASE WHEN result IS NULL THEN one ELSE result || one END;
  END LOOP;
  RETURN result;
END
$$;

CREATE OR REPLACE FUNCTION tributary_search(
    query_text    text,
    query_vector  vector,
    model_id      integer,
    mode          text             DEFAULT 'hybrid',
    result_limit  integer          DEFAULT 10,
    source_ids    bigint[]         DEFAULT NULL,
    since         timestamptz      DEFAULT NULL,
    until         timestamptz      DEFAULT NULL,
    languages     text[]           DEFAULT NULL,
    rrf_k         integer          DEFAULT 60,
    vector_weight double precision DEFAULT 1,
    text_weight   double precision DEFAULT 1,
    candidates    integer          DEFAULT 100)
RETURNS TABLE (item_id bigint, score double precision, vector_rank bigint, text_rank bigint,
               distance double precision, text_score real, chunk integer, char_begin integer,
               char_end integer)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  m_dims      integer := 0;
  m_distance  text := 'cosine';
  vtype       text := 'vector';
  op          text := '<=>';
  use_vectors boolean := mode IN ('hybrid', 'vector');
  use_text    boolean := mode IN ('hybrid', 'text');
  subtags     text[];
  exact       boolean := false;
  plan        json;
BEGIN
  IF mode IS NULL OR mode NOT IN ('hybrid', 'vector', 'text') THEN
    RAISE EXCEPTION 'tributary_search: mode must be hybrid, vector or text, not %', mode
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF use_vectors THEN
    IF query_vector IS NULL OR model_id IS NULL THEN
      RAISE EXCEPTION 'tributary_search: mode % needs query_vector and model_id', mode
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT em.dims, em.distance INTO m_dims, m_distance
      FROM embedding_models em WHERE em.id = tributary_search.model_id;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'tributary_search: embedding model % does not exist', model_id
        USING ERRCODE = 'no_data_found';
    END IF;
    vtype := CASE WHEN m_dims BETWEEN 2001 AND 4000 THEN 'halfvec' ELSE 'vector' END;
    op := CASE m_distance WHEN 'l2' THEN '<->' WHEN 'inner_product' THEN '<#>' ELSE '<=>' END;
    PERFORM set_config('hnsw.ef_search', greatest(40, candidates)::text, true);
    BEGIN
      PERFORM set_config('hnsw.iterative_scan', 'relaxed_order', true);
    EXCEPTION WHEN OTHERS THEN
      NULL;  -- pgvector before 0.8: filters apply to the candidates only
    END;
  END IF;
  -- When the sources and dates asked for leave few items (the planner's estimate, from the
  -- statistics of items_source_observed_at_idx and items_published_or_seen_idx, 0016), their
  -- passages are compared one by one (exact) and the HNSW index is left out: a walk visits
  -- about candidates / selectivity passages, and stops at hnsw.max_scan_tuples with fewer
  -- results than there are. The language filter is left out of the estimate (no statistics).
  IF use_vectors AND (source_ids IS NOT NULL OR since IS NOT NULL OR until IS NOT NULL) THEN
    EXECUTE $estimate$EXPLAIN (FORMAT JSON) SELECT 1 FROM items i
       WHERE ($1::bigint[] IS NULL OR i.source_id = ANY ($1))
         AND ($2::timestamptz IS NULL OR coalesce(i.published_at, i.first_seen_at) >= $2)
         AND ($3::timestamptz IS NULL OR coalesce(i.published_at, i.first_seen_at) < $3)$estimate$
      INTO plan USING source_ids, since, until;
    exact := (plan -> 0 -> 'Plan' ->> 'Plan Rows')::double precision <= 20000;
  END IF;
  SELECT array_agg(lower(split_part(replace(l, '_', '-'), '-', 1))) INTO subtags
    FROM unnest(languages) AS l;

  -- The model id and dimension are literals so that the model's partial indexes apply.
  RETURN QUERY EXECUTE format($query$
    WITH vector_hits AS (
      (SELECT c.item_id, c.chunk, c.char_begin, c.char_end,
              c.embedding::%1$s(%2$s) %3$s $2::%1$s(%2$s) AS distance
         FROM item_chunks c JOIN items i ON i.id = c.item_id
        WHERE %5$s AND c.model_id = %4$s AND %7$s
        ORDER BY (c.embedding::%1$s(%2$s) %3$s $2::%1$s(%2$s))%8$s
        LIMIT $7)
      UNION ALL
      (SELECT e.item_id, NULL::int, NULL::int, NULL::int,
              e.embedding::%1$s(%2$s) %3$s $2::%1$s(%2$s) AS distance
         FROM item_embeddings e JOIN items i ON i.id = e.item_id
        WHERE %5$s AND e.model_id = %4$s AND %7$s
        ORDER BY (e.embedding::%1$s(%2$s) %3$s $2::%1$s(%2$s))%8$s
        LIMIT $14)
    ),
    vector_best AS (
      SELECT DISTINCT ON (h.item_id) h.*
        FROM vector_hits h
       ORDER BY h.item_id, h.distance, h.chunk NULLS LAST
    ),
    vector_ranked AS (
      SELECT b.*, row_number() OVER (ORDER BY b.distance, b.item_id) AS rank
        FROM vector_best b ORDER BY b.distance, b.item_id LIMIT $7
    ),
    text_ranked AS (
      SELECT m.item_id, m.text_score,
             row_number() OVER (ORDER BY m.text_score DESC, m.item_id) AS rank
        FROM (SELECT d.item_id, ts_rank_cd(d.document, $13) AS text_score
                FROM item_documents d JOIN items i ON i.id = d.item_id
               WHERE %6$s AND d.document @@ $13 AND %7$s) m
       ORDER BY m.text_score DESC, m.item_id LIMIT $7
    )
    SELECT coalesce(v.item_id, t.item_id),
           $10 * coalesce(1.0 / ($9 + v.rank), 0) + $11 * coalesce(1.0 / ($9 + t.rank), 0),
           v.rank, t.rank, v.distance, t.text_score, v.chunk, v.char_begin, v.char_end
      FROM vector_ranked v FULL JOIN text_ranked t ON t.item_id = v.item_id
     ORDER BY 2 DESC, 1
     LIMIT $12
  $query$, vtype, greatest(m_dims, 1), op, coalesce(model_id, 0),
           CASE WHEN use_vectors THEN 'true' ELSE 'false' END,
           CASE WHEN use_text THEN 'true' ELSE 'false' END,
           -- The filters on an item `i`, with the parameters USING passes.
           $filter$($3::bigint[] IS NULL OR i.source_id = ANY ($3))
             AND ($4::timestamptz IS NULL OR coalesce(i.published_at, i.first_seen_at) >= $4)
             AND ($5::timestamptz IS NULL OR coalesce(i.published_at, i.first_seen_at) < $5)
             AND ($6::text[] IS NULL
                  OR lower(split_part(replace(coalesce(i.language, ''), '_', '-'), '-', 1))
                     = ANY ($6))$filter$,
           -- An ORDER BY that is not the index's own: no index walk.
           CASE WHEN exact THEN ' + 0' ELSE '' END)
  USING query_text, CASE WHEN use_vectors THEN query_vector END, source_ids, since, until,
        subtags, candidates,
        languages, rrf_k, vector_weight, text_weight, result_limit,
        -- A value, not an expression, when the plan is made: the GIN index applies.
        CASE WHEN use_text THEN tributary_text_search_query(query_text, languages) END,
        least(candidates, greatest(result_limit, 10));
END
$$;

COMMENT ON FUNCTION tributary_search(text, vector, integer, text, integer, bigint[], timestamptz,
                                     timestamptz, text[], integer, double precision,
                                     double precision, integer) IS
  'Hybrid (RRF of nearest passages and full text), vector or text search over items, with source, date and language filters; one row per item with its best passage''s offsets (see 0012).';

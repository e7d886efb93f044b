-- 0022_search_filtered_by_bits.sql
--
-- What: tributary_search (0012, 0015) with the same arguments and results; a search whose
--       --source/--since/--until leave at most 50,000 items (the planner's estimate; 20,000
--       before) takes its nearest vectors from item_vector_bits (0020): the filtered items'
--       vectors ranked by the Hamming distance of their bits in an index-only scan, the
--       4 x `candidates` best of them (at least 200) compared with their full vectors.
--
-- Why:  issue 18, bench/search at 1,000,000 items: 10 sources (1 % of the items) took 329 ms at
--       p95 and the last 30 days (4 %) 190 ms, against a target of 100. The one-by-one
--       comparison (0015) read each filtered passage's row, at random in a table of 11 GB; an
--       HNSW walk under a filter reads about candidates / selectivity rows to test it. The bits
--       of a filtered source's or period's vectors lie together in one small index.
--       The language filter, which has no such index, is tested on the compared rows. The
--       bits are the vector's signs: a fair first cut for cosine and inner-product models
--       (what embedding models are), a rougher one for L2 on vectors far from the origin.
--
-- Rollback: run 0015's CREATE OR REPLACE FUNCTION tributary_search again.

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
  by_bits     boolean := false;  -- rank the filtered items' vector bits (0020)
  hits        text;
  -- The filters on an item `i`, with the parameters USING passes.
  item_filter text := $filter$($3::bigint[] IS NULL OR i.source_id = ANY ($3))
    AND ($4::timestamptz IS NULL OR coalesce(i.published_at, i.first_seen_at) >= $4)
    AND ($5::timestamptz IS NULL OR coalesce(i.published_at, i.first_seen_at) < $5)
    AND ($6::text[] IS NULL
         OR lower(split_part(replace(coalesce(i.language, ''), '_', '-'), '-', 1))
            = ANY ($6))$filter$;
  -- The language filter alone, on the item ROW_ITEM names.
  language_filter text := $filter$($6::text[] IS NULL
    OR EXISTS (SELECT 1 FROM items i WHERE i.id = ROW_ITEM
                  AND lower(split_part(replace(coalesce(i.language, ''), '_', '-'), '-', 1))
                      = ANY ($6)))$filter$;
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
  -- vectors' bits are ranked (item_vector_bits, 0020) and the best compared in full; the HNSW
  -- index is left out: a walk visits about candidates / selectivity passages, and stops at
  -- hnsw.max_scan_tuples with fewer results than there are. The language filter is left out
  -- of the estimate (no statistics).
  IF use_vectors AND (source_ids IS NOT NULL OR since IS NOT NULL OR until IS NOT NULL) THEN
    EXECUTE $estimate$EXPLAIN (FORMAT JSON) SELECT 1 FROM items i
       WHERE ($1::bigint[] IS NULL OR i.source_id = ANY ($1))
         AND ($2::timestamptz IS NULL OR coalesce(i.published_at, i.first_seen_at) >= $2)
         AND ($3::timestamptz IS NULL OR coalesce(i.published_at, i.first_seen_at) < $3)$estimate$
      INTO plan USING source_ids, since, until;
    by_bits := (plan -> 0 -> 'Plan' ->> 'Plan Rows')::double precision <= 50000;
  END IF;
  SELECT array_agg(lower(split_part(replace(l, '_', '-'), '-', 1))) INTO subtags
    FROM unnest(languages) AS l;

  -- The vector side's rows: (item, passage or NULL for the item's own vector, offsets,
  -- distance), the `candidates` nearest passages and the nearest item vectors. The model id and
  -- dimension are literals so that the model's partial indexes apply.
  IF by_bits THEN
    -- Ranked by their bits in an index-only scan of item_vector_bits (source or date first),
    -- the best 4 x candidates compared in full; the language filter is tested on those. (An
    -- ORDER BY that is not the HNSW index's own: the planner must not walk it instead.)
    hits := format($hits$
      nearest_bits AS (
        SELECT b.item_id, b.chunk FROM item_vector_bits b
         WHERE b.model_id = %4$s
           AND ($3::bigint[] IS NULL OR b.source_id = ANY ($3))
           AND ($4::timestamptz IS NULL OR b.published_or_seen >= $4)
           AND ($5::timestamptz IS NULL OR b.published_or_seen < $5)
         ORDER BY b.bits <~> binary_quantize($2::vector)
         LIMIT greatest(200, 4 * $7)
      ),
      vector_hits AS (
        (SELECT c.item_id, c.chunk, c.char_begin, c.char_end,
                c.embedding::%1$s(%2$s) %3$s $2::%1$s(%2$s) AS distance
           FROM nearest_bits n
           JOIN item_chunks c
             ON c.item_id = n.item_id AND c.model_id = %4$s AND c.chunk = n.chunk
          WHERE %5$s
          ORDER BY (c.embedding::%1$s(%2$s) %3$s $2::%1$s(%2$s)) + 0 LIMIT $7)
        UNION ALL
        (SELECT e.item_id, NULL::int, NULL::int, NULL::int,
                e.embedding::%1$s(%2$s) %3$s $2::%1$s(%2$s) AS distance
           FROM nearest_bits n
           JOIN item_embeddings e ON e.item_id = n.item_id AND e.model_id = %4$s
          WHERE n.chunk = -1 AND %6$s
          ORDER BY (e.embedding::%1$s(%2$s) %3$s $2::%1$s(%2$s)) + 0 LIMIT $14)
      ),$hits$, vtype, greatest(m_dims, 1), op, coalesce(model_id, 0),
      -- The language filter on the compared rows (no --lang: no look-up of their items).
      replace(language_filter, 'ROW_ITEM', 'c.item_id'),
      replace(language_filter, 'ROW_ITEM', 'e.item_id'));
  ELSE
    -- Through the model's two HNSW indexes; with filters, an iterative scan.
    hits := format($hits$
      vector_hits AS (
        (SELECT c.item_id, c.chunk, c.char_begin, c.char_end,
                c.embedding::%1$s(%2$s) %3$s $2::%1$s(%2$s) AS distance
           FROM item_chunks c JOIN items i ON i.id = c.item_id
          WHERE %5$s AND c.model_id = %4$s AND %6$s
          ORDER BY c.embedding::%1$s(%2$s) %3$s $2::%1$s(%2$s)
          LIMIT $7)
        UNION ALL
        (SELECT e.item_id, NULL::int, NULL::int, NULL::int,
                e.embedding::%1$s(%2$s) %3$s $2::%1$s(%2$s) AS distance
           FROM item_embeddings e JOIN items i ON i.id = e.item_id
          WHERE %5$s AND e.model_id = %4$s AND %6$s
          ORDER BY e.embedding::%1$s(%2$s) %3$s $2::%1$s(%2$s)
          LIMIT $14)
      ),$hits$, vtype, greatest(m_dims, 1), op, coalesce(model_id, 0),
      CASE WHEN use_vectors THEN 'true' ELSE 'false' END, item_filter);
  END IF;

  RETURN QUERY EXECUTE format($query$
    WITH %1$s
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
               WHERE %2$s AND d.document @@ $13 AND %3$s) m
       ORDER BY m.text_score DESC, m.item_id LIMIT $7
    )
    SELECT coalesce(v.item_id, t.item_id),
           $10 * coalesce(1.0 / ($9 + v.rank), 0) + $11 * coalesce(1.0 / ($9 + t.rank), 0),
           v.rank, t.rank, v.distance, t.text_score, v.chunk, v.char_begin, v.char_end
      FROM vector_ranked v FULL JOIN text_ranked t ON t.item_id = v.item_id
     ORDER BY 2 DESC, 1
     LIMIT $12
  $query$, hits, CASE WHEN use_text THEN 'true' ELSE 'false' END, item_filter)
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

-- 0010_chunks_and_text_search.sql
--
-- What: `item_chunks`: one vector per passage ("chunk") of an item's text per model, with the
--       passage's character offsets, so a long article is found by any of its passages and a
--       search can show the passage that matched. Its per-model partial HNSW index
--       (tributary_chunk_index_name, tributary_chunk_index_ddl); tributary_ensure_model_index
--       now makes both indexes of a model. And the full-text document of an item
--       (tributary_text_search_config, tributary_item_document), which 0011 indexes with GIN.
--
-- Why:  issue 18 (chunks, hybrid search). Chunks of one item for one model are numbered 0, 1,
--       ... in text order; the loader writes an item's chunks and deletes those past its new
--       count in one transaction, under the same observed_at guard as item_embeddings:
--         INSERT INTO item_chunks (item_id, model_id, chunk, char_begin, char_end,
--                                  content_hash, embedding, observed_at) ...
--           ON CONFLICT (item_id, model_id, chunk) DO UPDATE SET ...
--           WHERE item_chunks.observed_at <= excluded.observed_at
--             AND (item_chunks.content_hash, item_chunks.char_begin, item_chunks.char_end)
--                 IS DISTINCT FROM (excluded.content_hash, excluded.char_begin, excluded.char_end);
--         DELETE FROM item_chunks WHERE item_id = $1 AND model_id = $2 AND chunk >= $3
--           AND observed_at <= $4;
--       content_hash is the SHA-256 of the text the chunk's vector was made from (the title
--       and the passage): the embedder's cache look-up is per chunk, served by
--       item_chunks_model_content_hash_idx, so editing one paragraph re-embeds only the
--       chunks that changed. char_begin/char_end count characters (as substr() does) in the
--       item's text: content_text, or summary when content_text is empty.
--       A chunk search repeats the index expression and predicate with the model id as a
--       literal, as for item_embeddings (0003):
--         SELECT item_id, chunk, embedding::vector(384) <=> $1::vector(384) AS distance
--           FROM item_chunks WHERE model_id = 7
--          ORDER BY embedding::vector(384) <=> $1::vector(384) LIMIT 40;
--       Full text: tributary_item_document(language, title, summary, content_text) is the
--       tsvector of the title (weight A) and the text (content_text, else summary; weight D),
--       in the text-search configuration of the item's language (its primary subtag: "de-AT"
--       is german; a language PostgreSQL has no configuration for is `simple`). It is an
--       expression index, not a stored generated column: adding a stored column rewrites the
--       whole items table under an exclusive lock, an index is built CONCURRENTLY (0011). A
--       query must repeat the expression to use the index:
--         WHERE tributary_item_document(language, title, summary, content_text)
--               @@ websearch_to_tsquery(tributary_text_search_config($lang), $query)
--       The text is cut at 100,000 characters (tsvector's limit is 1 MB; a longer text would
--       make the item's upsert fail).
--
-- Rollback (roll back 0011 first; destroys data):
--   DROP FUNCTION IF EXISTS tributary_item_document(text, text, text, text);
--   DROP FUNCTION IF EXISTS tributary_text_search_config(text);
--   DROP TABLE IF EXISTS item_chunks;                 -- also drops every chunk HNSW index
--   DROP FUNCTION IF EXISTS tributary_chunk_index_ddl(integer, boolean);
--   DROP FUNCTION IF EXISTS tributary_chunk_index_name(integer);
--   and re-create tributary_model_index_ddl and tributary_ensure_model_index from 0003.
--   DROP FUNCTION IF EXISTS tributary_vector_index_ddl(text, text, integer, boolean);

CREATE TABLE IF NOT EXISTS item_chunks (
  item_id      bigint      NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  model_id     integer     NOT NULL REFERENCES embedding_models (id),
  chunk        integer     NOT NULL,
  char_begin   integer     NOT NULL,
  char_end     integer     NOT NULL,
  content_hash bytea       NOT NULL,
  embedding    vector      NOT NULL,   -- untyped on purpose, indexed per model (see 0003)
  observed_at  timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),

  CONSTRAINT item_chunks_pkey PRIMARY KEY (item_id, model_id, chunk),
  CONSTRAINT item_chunks_chunk_range CHECK (chunk >= 0),
  CONSTRAINT item_chunks_offsets CHECK (char_begin >= 0 AND char_end > char_begin),
  CONSTRAINT item_chunks_content_hash_sha256 CHECK (octet_length(content_hash) = 32)
);

-- The embedder's per-chunk cache look-up; also serves the FK to embedding_models.
CREATE INDEX IF NOT EXISTS item_chunks_model_content_hash_idx
  ON item_chunks (model_id, content_hash);

COMMENT ON TABLE  item_chunks IS
  'One vector per passage of an item''s text per model. Natural key (item_id, model_id, chunk). Per-model partial HNSW indexes by tributary_ensure_model_index(model_id).';
COMMENT ON COLUMN item_chunks.chunk IS 'Position of the passage in the text: 0, 1, ...';
COMMENT ON COLUMN item_chunks.char_begin IS 'First character of the passage in the item''s text (content_text, else summary), 0-based.';
COMMENT ON COLUMN item_chunks.char_end IS 'One past the passage''s last character.';
COMMENT ON COLUMN item_chunks.content_hash IS 'SHA-256 of the text embedded (title and passage): the cache key with the model.';
COMMENT ON COLUMN item_chunks.observed_at IS 'observed_at of the item version embedded: the monotonic guard.';

-- The HNSW index statement for one model's vectors in `table_name`, shared by item_embeddings
-- and item_chunks (0003 explains the vector/halfvec choice and the 4,000-dimension limit).
CREATE OR REPLACE FUNCTION tributary_vector_index_ddl(table_name text, index_name text,
                                                      model_id integer,
                                                      build_concurrently boolean)
RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  m_dims     integer;
  m_distance text;
  vtype      text;
  opclass    text;
BEGIN
  SELECT em.dims, em.distance INTO m_dims, m_distance
    FROM embedding_models em WHERE em.id = tributary_vector_index_ddl.model_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'embedding model % does not exist', tributary_vector_index_ddl.model_id
      USING ERRCODE = 'no_data_found';
  END IF;

  IF m_dims <= 2000 THEN
    vtype := 'vector';
  ELSIF m_dims <= 4000 THEN
    vtype := 'halfvec';
  ELSE
    RETURN NULL;
  END IF;

  opclass := vtype || CASE m_distance
                        WHEN 'cosine'        THEN '_cosine_ops'
                        WHEN 'l2'            THEN '_l2_ops'
                        WHEN 'inner_product' THEN '_ip_ops'
                      END;

  RETURN format(
    'CREATE INDEX %sIF NOT EXISTS %I ON %I USING hnsw ((embedding::%s(%s)) %s) WHERE model_id = %s',
    CASE WHEN build_concurrently THEN 'CONCURRENTLY ' ELSE '' END,
    index_name, table_name, vtype, m_dims, opclass, tributary_vector_index_ddl.model_id);
END
$$;

CREATE OR REPLACE FUNCTION tributary_model_index_ddl(model_id integer, build_concurrently boolean DEFAULT false)
RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT tributary_vector_index_ddl('item_embeddings', tributary_model_index_name(model_id),
                                    model_id, build_concurrently)
$$;

CREATE OR REPLACE FUNCTION tributary_chunk_index_name(model_id integer) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT 'item_chunks_m' || model_id::text || '_hnsw'
$$;

CREATE OR REPLACE FUNCTION tributary_chunk_index_ddl(model_id integer, build_concurrently boolean DEFAULT false)
RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT tributary_vector_index_ddl('item_chunks', tributary_chunk_index_name(model_id),
                                    model_id, build_concurrently)
$$;

-- As in 0003, and the chunk index too. Returns the item_embeddings index's name, or NULL
-- (with a NOTICE) when the model has too many dimensions for HNSW.
CREATE OR REPLACE FUNCTION tributary_ensure_model_index(model_id integer) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  idx       text := tributary_model_index_name(tributary_ensure_model_index.model_id);
  chunk_idx text := tributary_chunk_index_name(tributary_ensure_model_index.model_id);
  ddl       text;
BEGIN
  IF to_regclass(idx) IS NOT NULL AND to_regclass(chunk_idx) IS NOT NULL THEN
    RETURN idx;                                   -- fast path, no lock
  END IF;

  PERFORM pg_advisory_xact_lock(hashtext('tributary_ensure_model_index'),
                                tributary_ensure_model_index.model_id);

  ddl := tributary_model_index_ddl(tributary_ensure_model_index.model_id, false);
  IF ddl IS NULL THEN
    RAISE NOTICE 'embedding model % has more than 4000 dimensions: pgvector cannot build an HNSW index, searches will scan',
      tributary_ensure_model_index.model_id;
    RETURN NULL;
  END IF;

  IF to_regclass(idx) IS NULL THEN                -- re-check under the lock
    EXECUTE ddl;
  END IF;
  IF to_regclass(chunk_idx) IS NULL THEN
    EXECUTE tributary_chunk_index_ddl(tributary_ensure_model_index.model_id, false);
  END IF;
  RETURN idx;
END
$$;

COMMENT ON FUNCTION tributary_chunk_index_ddl(integer, boolean) IS
  'CREATE INDEX [CONCURRENTLY] statement for one embedding model''s HNSW index on item_chunks, or NULL above 4000 dims.';

-- The text-search configuration for a language tag: its primary subtag ("pt-BR", "pt_BR",
-- "PT" are portuguese) among the configurations this server has; anything else is `simple`
-- (no stemming, no stop words). Written from pg_catalog at migration time, so a server
-- without, e.g., armenian (before PostgreSQL 16) maps "hy" to simple instead of failing.
DO $migration$
DECLARE
  cases text;
BEGIN
  SELECT string_agg(format('WHEN %L THEN %L::regconfig', m.code, 'pg_catalog.' || m.config), ' '
                    ORDER BY m.code)
    INTO cases
    FROM (VALUES ('ar', 'arabic'), ('hy', 'armenian'), ('eu', 'basque'), ('ca', 'catalan'),
                 ('da', 'danish'), ('nl', 'dutch'), ('en', 'english'), ('fi', 'finnish'),
                 ('fr', 'french'), ('de', 'german'), ('el', 'greek'), ('hi', 'hindi'),
                 ('hu', 'hungarian'), ('id', 'indonesian'), ('ga', 'irish'), ('it', 'italian'),
                 ('lt', 'lithuanian'), ('ne', 'nepali'), ('no', 'norwegian'),
                 ('nb', 'norwegian'), ('nn', 'norwegian'), ('pt', 'portuguese'),
                 ('ro', 'romanian'), ('ru', 'russian'), ('sr', 'serbian'), ('es', 'spanish'),
                 ('sv', 'swedish'), ('ta', 'tamil'), ('tr', 'turkish'), ('yi', 'yiddish'))
         AS m(code, config)
   WHERE EXISTS (SELECT 1 FROM pg_ts_config c
                  WHERE c.cfgname = m.config AND c.cfgnamespace = 'pg_catalog'::regnamespace);
  EXECUTE format(
    $f$CREATE OR REPLACE FUNCTION tributary_text_search_config(language text) RETURNS regconfig
       LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $body$
         SELECT CASE lower(split_part(replace(coalesce(language, ''), '_', '-'), '-', 1))
                %s ELSE 'pg_catalog.simple'::regconfig END
       $body$$f$,
    coalesce(cases, ''));
END
$migration$;

COMMENT ON FUNCTION tributary_text_search_config(text) IS
  'Text-search configuration for a language tag (primary subtag), simple when PostgreSQL has none for it.';

CREATE OR REPLACE FUNCTION tributary_item_document(language text, title text, summary text,
                                                   content_text text)
RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
-- An index build evaluates it with search_path = pg_catalog (PostgreSQL 17+): the schema it
-- finds tributary_text_search_config in is the one it was created in.
SET search_path FROM CURRENT AS $$
  SELECT setweight(to_tsvector(tributary_text_search_config(language),
                               left(coalesce(title, ''), 1000)), 'A')
      || setweight(to_tsvector(tributary_text_search_config(language),
                               left(coalesce(nullif(content_text, ''), summary, ''), 100000)),
                   'D')
$$;

COMMENT ON FUNCTION tributary_item_document(text, text, text, text) IS
  'Full-text document of an item: title (weight A) and text (content_text, else summary; weight D) in its language''s configuration. Indexed by items_text_search_idx (0011).';

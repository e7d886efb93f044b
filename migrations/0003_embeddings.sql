-- 0003_embeddings.sql
--
-- What: `embedding_models` (which model made a vector), `item_embeddings` (one vector per item
--       per model), and helper functions that build the per-model approximate-nearest-neighbour
--       (HNSW) index: tributary_model_index_name(), tributary_model_index_ddl(),
--       tributary_ensure_model_index().
--
-- Why:  a new model is added side by side (new model id) and backfilled by replay, so vectors of
--       different sizes must live in one table. item_embeddings.embedding is therefore an
--       *untyped* `vector` (no dimension), and each model gets its own partial HNSW index on a
--       dimension-typed expression, e.g. for model 7 with 384 dims and cosine distance:
--
--         CREATE INDEX IF NOT EXISTS item_embeddings_m7_hnsw ON item_embeddings
--           USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE model_id = 7;
--
--       The loader calls `SELECT tributary_ensure_model_index(7);` when it registers a model
--       (in its own short transaction, BEFORE writing that model's vectors). A search must repeat
--       the index expression and predicate exactly, with the model id as a literal (or with
--       plan_cache_mode = force_custom_plan: a generic plan for `model_id = $1` cannot use a
--       partial index):
--
--         SELECT item_id, embedding::vector(384) <=> $1::vector(384) AS distance
--           FROM item_embeddings WHERE model_id = 7
--          ORDER BY embedding::vector(384) <=> $1::vector(384) LIMIT 10;
--
--       Operator per distance: cosine `<=>`, l2 `<->`, inner_product `<#>` (negative inner
--       product). pgvector limits: HNSW on `vector` up to 2000 dims; models with 2001..4000 dims
--       are indexed on `embedding::halfvec(N)` (half precision; search with
--       `embedding::halfvec(N) <=> $1::halfvec(N)`); above 4000 dims there is no HNSW index and
--       search is an exact scan (the function returns NULL with a NOTICE).
--       Once the index exists it also enforces the model's dimension: a vector of another size
--       for that model_id fails the cast (SQLSTATE 22000, "expected N dimensions").
--       To index a model that already has many rows without blocking writes, run by hand
--       (outside a transaction):  SELECT tributary_model_index_ddl(7, true);  and execute the
--       CREATE INDEX CONCURRENTLY it returns (raise maintenance_work_mem for the build).
--
--       item_embeddings upsert (DESIGN §4):
--         INSERT INTO item_embeddings (item_id, model_id, content_hash, embedding, observed_at)
--         ... ON CONFLICT (item_id, model_id) DO UPDATE SET
--               content_hash = excluded.content_hash, embedding = excluded.embedding,
--               observed_at = excluded.observed_at, updated_at = now()
--             WHERE item_embeddings.observed_at <= excluded.observed_at
--               AND item_embeddings.content_hash IS DISTINCT FROM excluded.content_hash;
--       Embedder cache look-up ("does (content_hash, model) already have a vector?"), served by
--       item_embeddings_model_content_hash_idx:
--         SELECT embedding FROM item_embeddings WHERE model_id = $1 AND content_hash = $2 LIMIT 1;
--
--       embedding_models rows are immutable in dims and distance (a trigger refuses changes):
--       changing them would invalidate the model's index and every stored vector; register a
--       new (name, version) instead. Deleting a model is refused while it has vectors (FK
--       without cascade): DELETE its item_embeddings rows and DROP its index first.
--
-- Rollback (roll back 0005 first if it references these; destroys data):
--   DROP FUNCTION IF EXISTS tributary_ensure_model_index(int);
--   DROP FUNCTION IF EXISTS tributary_model_index_ddl(int, boolean);
--   DROP FUNCTION IF EXISTS tributary_model_index_name(int);
--   DROP TABLE IF EXISTS item_embeddings;          -- also drops every per-model HNSW index
--   DROP TABLE IF EXISTS embedding_models;
--   DROP FUNCTION IF EXISTS tributary_embedding_models_immutable();

CREATE TABLE IF NOT EXISTS embedding_models (
  id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       text        NOT NULL,
  version    text        NOT NULL DEFAULT '',
  dims       integer     NOT NULL,
  distance   text        NOT NULL DEFAULT 'cosine',
  created_at timestamptz NOT NULL DEFAULT now(),

  CONSTRAINT embedding_models_name_version_key UNIQUE (name, version),
  CONSTRAINT embedding_models_name_nonempty CHECK (length(name) > 0),
  CONSTRAINT embedding_models_dims_range CHECK (dims BETWEEN 1 AND 16000),
  CONSTRAINT embedding_models_distance_check CHECK (distance IN ('cosine', 'l2', 'inner_product'))
);

COMMENT ON TABLE  embedding_models IS
  'Embedding models, side by side. Natural key (name, version). dims and distance are immutable.';
COMMENT ON COLUMN embedding_models.distance IS 'cosine (<=>), l2 (<->) or inner_product (<#>); picks the HNSW operator class.';

CREATE OR REPLACE FUNCTION tributary_embedding_models_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.dims IS DISTINCT FROM OLD.dims OR NEW.distance IS DISTINCT FROM OLD.distance THEN
    RAISE EXCEPTION 'embedding model % (%/%): dims and distance cannot change (% %) -> (% %); register a new version',
      OLD.id, OLD.name, OLD.version, OLD.dims, OLD.distance, NEW.dims, NEW.distance
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER embedding_models_immutable
  BEFORE UPDATE ON embedding_models
  FOR EACH ROW EXECUTE FUNCTION tributary_embedding_models_immutable();

CREATE TABLE IF NOT EXISTS item_embeddings (
  item_id      bigint      NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  model_id     integer     NOT NULL REFERENCES embedding_models (id),
  content_hash bytea       NOT NULL,
  embedding    vector      NOT NULL,   -- untyped on purpose: see header; indexed per model
  observed_at  timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),

  CONSTRAINT item_embeddings_pkey PRIMARY KEY (item_id, model_id),
  CONSTRAINT item_embeddings_content_hash_sha256 CHECK (octet_length(content_hash) = 32)
);

-- Embedder cache look-up; also serves the FK to embedding_models.
CREATE INDEX IF NOT EXISTS item_embeddings_model_content_hash_idx
  ON item_embeddings (model_id, content_hash);

COMMENT ON TABLE  item_embeddings IS
  'One vector per (item, model). Natural key (item_id, model_id). Per-model partial HNSW indexes are created by tributary_ensure_model_index(model_id).';
COMMENT ON COLUMN item_embeddings.content_hash IS 'items.content_hash of the content the vector was made from (32 bytes).';
COMMENT ON COLUMN item_embeddings.embedding IS
  'Untyped pgvector; index/search as embedding::vector(dims) (or ::halfvec(dims) for 2001..4000 dims) WHERE model_id = N.';
COMMENT ON COLUMN item_embeddings.observed_at IS 'observed_at of the item version embedded: the monotonic guard.';
COMMENT ON COLUMN item_embeddings.updated_at IS 'Set to now() by the upsert when the vector is replaced.';

-- Deterministic name of a model's HNSW index.
CREATE OR REPLACE FUNCTION tributary_model_index_name(model_id integer) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT 'item_embeddings_m' || model_id::text || '_hnsw'
$$;

-- The CREATE INDEX statement for a model's HNSW index, or NULL when pgvector cannot index that
-- many dimensions (> 4000). With build_concurrently = true it returns CREATE INDEX CONCURRENTLY, to be
-- run by hand outside a transaction.
CREATE OR REPLACE FUNCTION tributary_model_index_ddl(model_id integer, build_concurrently boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  m_dims     integer;
  m_distance text;
  vtype      text;
  opclass    text;
BEGIN
  SELECT em.dims, em.distance INTO m_dims, m_distance
    FROM embedding_models em WHERE em.id = tributary_model_index_ddl.model_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'embedding model % does not exist', tributary_model_index_ddl.model_id
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
    'CREATE INDEX %sIF NOT EXISTS %I ON item_embeddings USING hnsw ((embedding::%s(%s)) %s) WHERE model_id = %s',
    CASE WHEN build_concurrently THEN 'CONCURRENTLY ' ELSE '' END,
    tributary_model_index_name(tributary_model_index_ddl.model_id),
    vtype, m_dims, opclass, tributary_model_index_ddl.model_id);
END
$$;

-- Creates the model's partial HNSW index if it is missing; returns the index name, or NULL (with a
-- NOTICE) when the model has too many dimensions for HNSW. Safe to call from several loaders at
-- once (serialized per model by a transaction-scoped advisory lock). Call it in its own short
-- transaction: CREATE INDEX takes a SHARE lock on item_embeddings for the duration of the build.
CREATE OR REPLACE FUNCTION tributary_ensure_model_index(model_id integer) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  idx text := tributary_model_index_name(tributary_ensure_model_index.model_id);
  ddl text;
BEGIN
  IF to_regclass(idx) IS NOT NULL THEN
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
  RETURN idx;
END
$$;

COMMENT ON FUNCTION tributary_ensure_model_index(integer) IS
  'Create the partial HNSW index of one embedding model if missing (reads dims and distance from embedding_models). Returns the index name or NULL if not indexable.';
COMMENT ON FUNCTION tributary_model_index_ddl(integer, boolean) IS
  'CREATE INDEX [CONCURRENTLY] statement for one embedding model''s HNSW index, or NULL above 4000 dims.';

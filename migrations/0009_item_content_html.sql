-- 0009_item_content_html.sql
--
-- What: items.content_html, the entry's content (else its summary) as HTML safe to show.
--
-- Why:  content_text is for search and embeddings; a reader, a digest or a newsletter built on
--       these rows wants the markup: paragraphs, links, images, lists, tables, formulas
--       (MathML). The parser keeps only inert elements and attributes and resolves every link
--       and image source against the entry's xml:base or the document's URL, so the HTML
--       stands on its own. It is not part of content_hash: a change that leaves the text alone
--       does not rewrite the row (nor re-embed it).
--
-- Rollback:
--   ALTER TABLE items DROP COLUMN IF EXISTS content_html;

ALTER TABLE items ADD COLUMN IF NOT EXISTS content_html text;

COMMENT ON COLUMN items.content_html IS
  'The entry''s content (else its summary) as sanitized HTML: inert elements and attributes only, URLs absolute. NULL when the entry had none.';

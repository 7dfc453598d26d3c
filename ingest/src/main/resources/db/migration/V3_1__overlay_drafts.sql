-- Overlay uploads become drafts first: a new version of the layer's features that goes live when
-- the draft is activated (overlay_layer.version switched in the same transaction).
CREATE TABLE overlay_draft (
  id             bigserial   PRIMARY KEY,
  layer          text        NOT NULL CHECK (layer IN ('districts', 'coastline', 'campuses', 'checkpoints', 'cameras')),
  version        integer     NOT NULL,
  status         text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'archived')),
  feature_count  integer     NOT NULL,
  source         text,
  source_sha256  text,
  report         jsonb,
  created_at     timestamptz NOT NULL DEFAULT now(),
  created_by     text,
  activated_at   timestamptz,
  activated_by   text,
  UNIQUE (layer, version)
);

-- Named constants and what they stand for (core/domain/constants.py): a static final field with a
-- literal value, or an enum constant with its code and label arguments. Rules and designs render
-- `OrderUtil.STATUS_PAY` as `201 (已付款)` and cite the declaration.
CREATE TABLE map_constants (
    repo_id      VARCHAR NOT NULL,
    const_id     VARCHAR NOT NULL,          -- pkg.OrderUtil.STATUS_PAY
    owner        VARCHAR NOT NULL,          -- declaring class symbol id
    name         VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,          -- field | enum
    value        VARCHAR,                   -- 201 | a String constant unquoted | an enum constant's code argument
    label        VARCHAR,                   -- 已付款
    label_source VARCHAR,                   -- comment | enum | mapping
    path         VARCHAR NOT NULL,
    line         INTEGER NOT NULL,          -- declaration line
    label_start  INTEGER,                   -- lines of path proving the label
    label_end    INTEGER,
    accessor     VARCHAR,                   -- enum: the field holding the code (orderStatus -> getOrderStatus())
    value_type   VARCHAR,                   -- field: declared type
    PRIMARY KEY (repo_id, const_id)
);

-- The entity field a status dictionary describes (found where code sets the field to one of its constants).
ALTER TABLE map_status_dicts ADD COLUMN entity VARCHAR;        -- entity class symbol id
ALTER TABLE map_status_dicts ADD COLUMN entity_field VARCHAR;  -- orderStatus

-- How an entity was recognised: resultMap | jpa | mybatis_plus | table_name
ALTER TABLE map_entities ADD COLUMN source VARCHAR;

-- A component that never runs: its stereotype annotation is commented out, or nothing registers it.
ALTER TABLE map_classes ADD COLUMN inactive VARCHAR;           -- the reason; NULL when active

-- The marts' watermark lives in `meta` (key `mart_watermark`); this table was never written.
DROP TABLE IF EXISTS mart_watermark;

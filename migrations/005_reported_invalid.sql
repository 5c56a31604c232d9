-- The damaged entries of a document or database already logged ("<offset> <kind>" per line):
-- such a file is read whole at every change, and only entries newly damaged are logged again.
ALTER TABLE source_files ADD COLUMN reported_invalid TEXT;

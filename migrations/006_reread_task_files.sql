-- Task files (Cline, Roo Code, Kilo Code) are read once more: a checkpoint restore's total is now
-- remembered with its sums as written, which a later restore's total includes in Cline. A read
-- records them; without it, a second restore after this upgrade would count the first one's
-- requests again. Reading a task file again counts nothing twice (every request is counted once).
UPDATE source_files SET mtime_ms = -1 WHERE parser_state LIKE '{"counted":%';

-- Call edges keep how their receiver type was found and what they resolved to,
-- so the resolved share can be reported and flows can step from an interface
-- method into its implementation.
ALTER TABLE calls ADD COLUMN receiver_raw VARCHAR;   -- the receiver as the file alone could type it (chains: @call:T#m/n)
ALTER TABLE calls ADD COLUMN arg_count INTEGER;
ALTER TABLE calls ADD COLUMN via VARCHAR;        -- this | super | param | local | field | static | new | chain | unknown
ALTER TABLE calls ADD COLUMN impl_id VARCHAR;    -- implementation method when callee_id is an interface / abstract method
ALTER TABLE calls ADD COLUMN status VARCHAR;     -- resolved | external | unresolved
CREATE INDEX calls_caller ON calls (repo_id, caller_id);

-- The dashboard's "本学期已复学" (store.Returned): the cases returned in a period are an index range
-- on the return date, whatever the scope; county and poverty flag are read from the index. Keep in
-- step with the other engine's 0006_case_returns.sql.
CREATE INDEX cases_returned ON cases (return_date, county_code, poverty);

-- The child page (store.ChildRecords) reads a ledger entry's registry row by its dataset and row
-- number; without this index that is a scan of the whole registry dataset.
CREATE INDEX persons_dataset_row ON persons (dataset_id, source_row);
